import { ApiError } from "../hooks/fetch-json";

export interface LoginProblem {
  title: string;
  detail: string;
  /** Which field to focus so the operator can fix it right away. */
  focus: "username" | "password";
  /** Whether that field's value is what was wrong (marked aria-invalid), not just where to go on. */
  invalid: boolean;
}

/** A failed login in words the operator can act on; the server's own message where it is the clearest. */
export function describeLoginError(error: unknown): LoginProblem {
  if (!(error instanceof ApiError)) {
    return {
      title: "The server cannot be reached.",
      detail: "Check your network connection and that the dashboard is running, then try again.",
      focus: "password",
      invalid: false,
    };
  }
  switch (error.code) {
    case "unauthorized":
      return {
        title: "Invalid username or password.",
        detail:
          "Check both and try again. After 5 failed attempts the account is locked for 15 minutes.",
        focus: "password",
        invalid: true,
      };
    case "too_many_requests":
      // The server says which limit applies and for how long ("locked for 14 more minute(s)", "retry in 240 s").
      return /locked/i.test(error.message)
        ? {
            title: "This account is locked.",
            detail: `${error.message} An admin can unlock it by resetting the password.`,
            focus: "password",
            invalid: false,
          }
        : {
            title: "Too many login attempts.",
            detail: error.message,
            focus: "password",
            invalid: false,
          };
    case "database_unavailable":
      return {
        title: "The database is unreachable.",
        detail:
          "Logging in needs it. Wait a moment and try again; if it persists, check that PostgreSQL is running.",
        focus: "password",
        invalid: false,
      };
    case "invalid_body":
      return {
        title: "The login was refused.",
        detail: error.message,
        focus: "username",
        invalid: true,
      };
    case "csrf_failed":
      return {
        title: "The login was refused.",
        detail: "It did not come from this site's own page. Reload the page and try again.",
        focus: "password",
        invalid: false,
      };
    default:
      return {
        title: error.status >= 500 ? "The server failed to log you in." : "The login was refused.",
        detail: `${error.message} (${error.code})`,
        focus: "password",
        invalid: false,
      };
  }
}

/**
 * Why single sign-on failed, from the code the server puts in
 * /login?error=<code>. Only known codes are shown in words; the URL is
 * anyone's to write, so its text is never displayed as such.
 */
const SSO_ERRORS: Record<string, { title: string; detail: string }> = {
  sso_misconfigured: {
    title: "Single sign-on is not set up correctly.",
    detail:
      "An admin finds the setting at fault in the server log. Log in with a password meanwhile.",
  },
  provider_unreachable: {
    title: "The sign-in provider could not be reached.",
    detail: "Try again in a moment.",
  },
  provider_error: {
    title: "The sign-in provider reported an error.",
    detail: "Try again; if it keeps happening, tell an admin.",
  },
  access_denied: {
    title: "The sign-in was cancelled or refused.",
    detail: "The provider did not let this login through. Try again, or ask your identity admin.",
  },
  login_expired: {
    title: "The sign-in took too long.",
    detail: "It expired, or it was started in another browser. Start it again.",
  },
  state_mismatch: {
    title: "The sign-in could not be matched to this browser.",
    detail: "Start it again from this page.",
  },
  sso_failed: {
    title: "The provider's answer could not be verified.",
    detail: "Try again; if it keeps happening, tell an admin.",
  },
  invalid_claims: {
    title: "The provider sent no usable username.",
    detail: "Tell an admin: the account at the provider lacks the claim the dashboard reads.",
  },
  domain_not_allowed: {
    title: "Your email domain may not log in here.",
    detail: "Only some domains are allowed (and the email must be verified at the provider).",
  },
  account_conflict: {
    title: "A local account already has your username.",
    detail: "It is not linked to this sign-in; an admin must rename one of them.",
  },
  account_disabled: {
    title: "Your account is disabled.",
    detail: "Ask an admin to enable it.",
  },
  database_unavailable: {
    title: "The database is unreachable.",
    detail: "Logging in needs it. Wait a moment and try again.",
  },
};

export function describeSsoError(code: string): LoginProblem {
  const known = Object.hasOwn(SSO_ERRORS, code) ? SSO_ERRORS[code] : undefined;
  return {
    ...(known ?? {
      title: "Single sign-on failed.",
      detail: "Try again, or log in with a password.",
    }),
    focus: "username",
    invalid: false,
  };
}
