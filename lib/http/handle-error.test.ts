// The one place errors become HTTP: each kind of failure gets its status, code and headers.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { describeIssues, ServiceError } from "../errors";
import { errorResponse, handleApiError } from "./handle-error";

/** An error as node-pg raises it: a message and a SQLSTATE code. */
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe("handleApiError", () => {
  it.each([
    {
      name: "a service error keeps its code and message",
      error: new ServiceError("not_found", "No client 'x'."),
      status: 404,
      body: { error: { code: "not_found", message: "No client 'x'." } },
      retryAfter: null,
    },
    {
      name: "the server shutting down (57P01) is a 503 to retry",
      error: pgError("57P01", "terminating connection due to administrator command"),
      status: 503,
      body: {
        error: {
          code: "database_unavailable",
          message: "The database is unreachable; retry later.",
        },
      },
      retryAfter: "5",
    },
    {
      name: "the lock table full (53200) is a 503 to retry, for every route",
      error: pgError("53200", "out of shared memory"),
      status: 503,
      body: {
        error: {
          code: "database_unavailable",
          message: "The database is short of resources for this request; retry later.",
        },
      },
      retryAfter: "5",
    },
    {
      name: "a NUL in a text parameter (22021) is the caller's 400",
      error: pgError("22021", 'invalid byte sequence for encoding "UTF8": 0x00'),
      status: 400,
      body: {
        error: {
          code: "invalid_query",
          message:
            "The request holds a NUL character (\\u0000), which no client ID or stored text can contain.",
        },
      },
      retryAfter: null,
    },
  ])("$name", async ({ error, status, body, retryAfter }) => {
    const response = handleApiError(error);
    expect(response.status).toBe(status);
    expect(response.headers.get("retry-after")).toBe(retryAfter);
    expect(await response.json()).toEqual(body);
  });

  it("answers anything else with a generic 500 that shows no database text", async () => {
    const original = console.error;
    console.error = () => undefined;
    try {
      const response = handleApiError(pgError("42P01", 'relation "secret_table" does not exist'));
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({
        error: { code: "internal", message: "Internal server error." },
      });
    } finally {
      console.error = original;
    }
  });
});

describe("errorResponse", () => {
  it.each([
    ["method_not_allowed", 405],
    ["invalid_path", 400],
    ["sso_misconfigured", 500],
    ["database_unavailable", 503],
  ] as const)("answers %s with its status %i and the contract's body", async (code, status) => {
    const response = errorResponse(code, "why");
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ error: { code, message: "why" } });
  });

  it("names every problem of a zod error once, with its field unless the message names it", () => {
    const schema = z.object({
      limit: z.number().max(10),
      q: z.string().max(2, { error: "q must be at most 2 characters" }),
      items: z.array(z.number()),
    });
    const parsed = schema.safeParse({ limit: 11, q: "abc", items: ["a", "b", "c", "d", "e"] });
    expect(parsed.success).toBe(false);
    expect(describeIssues(parsed.error!)).toBe(
      "limit: Too big: expected number to be <=10; q must be at most 2 characters; " +
        "items.0: Invalid input: expected number, received string; " +
        "items.1: Invalid input: expected number, received string; " +
        "items.2: Invalid input: expected number, received string; and 2 more",
    );
  });
});
