// Package otelpaygate reports what paygate does to OpenTelemetry: it is a [paygate.Observer]
// that turns a Gateway's operations and HTTP attempts, a webhook handler's callbacks, a
// tracker's polls and a router's decisions into spans and metrics.
//
//	obs := otelpaygate.New() // the global TracerProvider and MeterProvider
//	gw, err := paygate.New(cfg, paygate.WithObserver(obs))
//	h := webhook.Handler(gw, saveCallback, webhook.WithObserver(obs))
//
// # Traces
//
// Each Gateway operation is an INTERNAL span named "paygate.<operation>" ("paygate.payin",
// "paygate.query", ...), a child of the span in the caller's context. Each HTTP attempt of the
// operation, retries included, is a CLIENT span under it named "{METHOD} {url.template}"
// ("POST /api/pay") with the stable HTTP client attributes of the OpenTelemetry semantic
// conventions: http.request.method, server.address, server.port, url.template,
// http.response.status_code, error.type, and http.request.resend_count on retries. A span
// whose operation or attempt failed has status Error; its description is the outcome class,
// never the error's text. A callback answered by a webhook handler is an INTERNAL span
// "paygate.callback" under the span of the request's context (for instance otelhttp's server
// span).
//
// # Metrics
//
//   - http.client.request.duration (s): every HTTP attempt, as the semantic conventions define it.
//   - paygate.client.operation.duration (s): every Gateway operation, by paygate.provider,
//     paygate.operation and paygate.outcome, and error.type (the outcome again) when not ok.
//   - paygate.webhook.callbacks ({callback}) and paygate.webhook.callback.duration (s): every
//     callback answered, by provider, kind, status, outcome and HTTP status.
//   - paygate.tracker.polls ({poll}): every order a tracker queried, by provider, kind and outcome.
//   - paygate.router.decisions ({decision}): every routing decision, by operation, provider,
//     decision and reason.
//
// # What is never recorded
//
// Attributes are low-cardinality facts: provider, operation, outcome class, HTTP method, status
// code, host and URL template. No order number, amount, customer detail, secret, API key,
// signature, error text or full URL (a query string is cut from a URL template) is ever
// recorded, so traces and metrics can be shipped to any backend.
//
// # Propagation
//
// Trace context is taken from the caller's context. It is written into the outgoing request to
// the provider only with [WithPropagation]: providers do not expect a traceparent header, and
// some may log or reject what they do not know.
package otelpaygate
