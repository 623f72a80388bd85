// The package ships no types: the shape of what it returns, as its README documents.
declare module "parse-prometheus-text-format" {
  interface Sample {
    labels?: Record<string, string>;
    value: string;
  }
  interface MetricFamily {
    name: string;
    help: string;
    type: "COUNTER" | "GAUGE" | "HISTOGRAM" | "SUMMARY" | "UNTYPED";
    metrics: Sample[];
  }
  export default function parsePrometheusTextFormat(text: string): MetricFamily[];
}
