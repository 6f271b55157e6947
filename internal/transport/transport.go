// Package transport is the HTTP plumbing every provider package shares: one resty client per
// Gateway, the retry policy (reads retry, money-moving creates never re-send), bounded response
// bodies, rate limiting, logging without secrets, and the classification of failures into
// paygate's error types.
//
// Only a final answer is read: a 1xx given as one (101 Switching Protocols) is an error at
// once, its body closed unread (net/http hands a 101's connection over and stops watching the
// context).
//
// A create (a request that moves money) is sent once: Do never repeats it once it may have
// left, and neither can net/http, over HTTP/1 or HTTP/2, with paygate's transport or a
// caller's: its body is made one that cannot be rewound (noReplay).
package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/go-resty/resty/v2"
	"golang.org/x/time/rate"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/pause"
)

// MaxResponseBytes bounds a provider response body; a larger one is an error, never read whole.
const MaxResponseBytes = 1 << 20

// SnippetBytes is how much of an unreadable body an error quotes.
const SnippetBytes = 256

// UserAgent is sent on every request.
const UserAgent = "paygate-go/1"

// Options configure a Client.
type Options struct {
	Provider   string
	MerchantID string // with Provider, the key of a shared paygate.Limiter
	BaseURL    string
	Timeout    time.Duration // per attempt; zero is paygate.DefaultTimeout
	RateLimit  rate.Limit    // requests per second; zero or negative is no limit
	Burst      int           // limiter burst; zero is max(1, RateLimit)
	// Redact are the credentials (secrets, API key, token) never quoted from a response.
	Redact []string
	// SignatureKey is where the provider's requests carry their signature: the name of a
	// header, a query parameter or a field of the JSON body, in any case ("sign", "signKey").
	// Every value sent under it, on every attempt, is never quoted from a response.
	SignatureKey string
}

// Client sends one provider's requests. It is safe for concurrent use.
type Client struct {
	provider   string
	r          *resty.Client
	log        *slog.Logger
	limiter    *rate.Limiter   // the in-process limit, when no shared Limiter is given
	shared     paygate.Limiter // Settings.Limiter
	retry      paygate.RetryPolicy
	limiterKey string
	observer   paygate.Observer
	baseURL    string
	timeout    time.Duration // per attempt, the answer's body included
	host       string
	port       int
	hc         *http.Client
	redact     []string
	sigKey     string
}

// New builds a Client for o with the Gateway's settings s.
func New(o Options, s paygate.Settings) *Client {
	var hc *http.Client
	if s.HTTPClient != nil {
		c := *s.HTTPClient // its Transport, Timeout and CheckRedirect are set below: keep the caller's intact
		hc = &c
	} else {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 64
		// However many goroutines share the Gateway, a provider sees a bounded number of
		// connections; further requests wait for one, within their context.
		t.MaxConnsPerHost = 128
		hc = &http.Client{Transport: t}
	}
	// A signed request goes only to the configured host: a 3xx is answered to the caller as
	// an error, never followed (a create would otherwise be sent twice, the second time to
	// whatever host Location names).
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = paygate.DefaultTimeout
	}
	// The timeout is each attempt's context deadline (send), not http.Client.Timeout: net/http
	// enforces Client.Timeout around a RoundTripper it does not know with a goroutine and a
	// timer per request.
	hc.Timeout = 0
	hc.Transport = &attemptTransport{base: base, observer: s.Observer}
	// Retries are Do's own loop (one rule, retryable) and the body is read and bounded by send:
	// resty's retry, body-limit and response-parsing machinery cost every request, retried or
	// not, about 6% of a pay-in's round trip (BenchmarkPayInRoundTripInterleaved).
	r := resty.NewWithClient(hc).
		SetLogger(discardLogger{}). // resty's own messages may quote URLs that carry tokens
		SetHeader("User-Agent", UserAgent).
		SetPreRequestHook(noReplay)
	c := &Client{provider: o.Provider, baseURL: o.BaseURL, timeout: timeout, r: r, log: s.Logger, hc: hc, shared: s.Limiter, retry: s.Retry,
		limiterKey: paygate.LimiterKey(o.Provider, o.MerchantID), observer: s.Observer, redact: nonEmpty(o.Redact),
		sigKey: o.SignatureKey}
	if u, err := url.Parse(o.BaseURL); err == nil {
		c.host = u.Hostname()
		c.port, _ = strconv.Atoi(u.Port())
		if c.port == 0 {
			c.port = map[string]int{"http": 80, "https": 443}[u.Scheme]
		}
	}
	if o.RateLimit > 0 && s.Limiter == nil {
		burst := o.Burst
		if burst <= 0 {
			burst = max(1, int(o.RateLimit))
		}
		c.limiter = rate.NewLimiter(o.RateLimit, burst)
	}
	return c
}

// CloseIdleConnections closes the keep-alive connections the Client holds.
func (c *Client) CloseIdleConnections() { c.hc.CloseIdleConnections() }

// Request is one call to the provider.
type Request struct {
	Op     string // "payin", "payout", "query", "balance", ...: names the call in errors and logs
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	Body   []byte // sent exactly as given
	// Create marks a call that moves money (creating a pay-in or pay-out). It is never re-sent
	// once it may have left; an uncertain outcome is a *paygate.OutcomeError.
	Create  bool
	OrderID string // the merchant order number, for OutcomeError
	// Sign, when set, is called before every attempt and its headers are added to that
	// attempt: for providers whose signature covers a fresh timestamp and nonce (DeekPay),
	// so that a retried read is signed anew rather than replayed.
	Sign func() http.Header
}

// noReplay stops net/http from re-sending a create on its own, whatever the transport
// (paygate's, or a caller's through WithHTTPClient; HTTP/1 or HTTP/2): the provider may have
// taken the first one. net/http repeats a request it can rewind (GetBody set, or no body) when
// a reused HTTP/1 keep-alive connection fails after the request was written, and when an
// HTTP/2 provider resets the stream with PROTOCOL_ERROR or REFUSED_STREAM, or sends GOAWAY,
// after reading the whole request: hundreds of times a second, until the deadline. A create's
// body therefore cannot be rewound, and a body-less create (CaiPay's pay-in is a GET) gets an
// empty body that cannot be either; it reads as empty, so nothing on the wire changes. Only a
// request net/http knows it never started writing is still re-sent by it.
func noReplay(_ *resty.Client, hr *http.Request) error {
	if st := stateOf(hr.Context()); st != nil && st.req.Create {
		if hr.Body == nil || hr.Body == http.NoBody {
			hr.Body = emptyBody{}
		}
		hr.GetBody = nil
	}
	return nil
}

type emptyBody struct{}

func (emptyBody) Read([]byte) (int, error) { return 0, io.EOF }
func (emptyBody) Close() error             { return nil }

// Response is the provider's answer.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
	provider   string
	req        *Request
	client     *Client
	signed     []string // the signatures req.Sign made, one per attempt
}

// Do sends req, and sends it again while retryable allows, the RetryPolicy has attempts left
// and ctx has not ended, backing off between attempts. A transport failure is returned as an
// error; any HTTP response is returned as a Response, except that a create answered with a
// 5xx is a *paygate.OutcomeError, a 1xx final answer (unread) or a 3xx (never followed) is a
// *paygate.ResponseError (on a create, within a *paygate.OutcomeError), and a request that
// provably never left is a *paygate.NotSentError. A Response's status is never 1xx or 3xx.
func (c *Client) Do(ctx context.Context, req *Request) (*Response, error) {
	if err := ctx.Err(); err != nil { // ended before the call: nothing left, as in a limiter wait
		return nil, &paygate.NotSentError{Provider: c.provider, Op: req.Op, Err: err}
	}
	if err := c.wait(ctx, req); err != nil {
		return nil, err
	}
	start := time.Now()
	st := &attemptState{req: req, provider: c.provider, host: c.host, port: c.port, redact: c.redact, sigKey: c.sigKey}
	st.trace = httptrace.ClientTrace{
		GetConn:      func(string) { st.traced.Store(true) },
		WroteHeaders: func() { st.wrote.Store(true) },
		WroteRequest: func(httptrace.WroteRequestInfo) { st.wrote.Store(true) },
	}
	ctx = httptrace.WithClientTrace(context.WithValue(ctx, attemptKey{}, st), &st.trace)
	resp, err := c.send(ctx, req, st)
	for attempt := 1; attempt < c.retry.MaxAttempts && ctx.Err() == nil && retryable(req.Create, resp, err, st); attempt++ {
		if perr := pause.For(ctx, backoff(c.retry, attempt)); perr != nil {
			err = perr
			break
		}
		// A retry is a request like any other: it waits its turn (a provider answering 429
		// would otherwise see the retries on top of the limit). One the limiter refuses is
		// not made: the last attempt's result stands.
		if c.wait(ctx, req) != nil {
			break
		}
		resp, err = c.send(ctx, req, st)
	}
	status := 0
	if resp != nil {
		status = resp.status
	}
	if c.log.Enabled(ctx, slog.LevelDebug) {
		c.log.LogAttrs(ctx, slog.LevelDebug, "paygate request",
			slog.String("provider", c.provider), slog.String("op", req.Op),
			slog.String("method", req.Method), slog.String("path", req.Path),
			slog.Int("status", status), slog.Int("attempts", max(int(st.attempts.Load()), 1)),
			slog.Duration("elapsed", time.Since(start)), slog.Bool("error", err != nil))
	}

	if err != nil {
		err = redactURL(err)
		notSent := st.notSent(err)
		if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			// The attempt's own deadline, not the caller's: context.DeadlineExceeded would
			// tell the caller (and ClassifyOutcome, and a router) that its context ended.
			err = &providerTimeout{err: err, after: c.timeout}
		}
		if notSent {
			return nil, &paygate.NotSentError{Provider: c.provider, Op: req.Op, Err: err}
		}
		if req.Create {
			return nil, &paygate.OutcomeError{Provider: c.provider, Op: req.Op, OrderID: req.OrderID, Err: err}
		}
		if errors.Is(err, errBodyTooLarge) {
			return nil, &paygate.ResponseError{Provider: c.provider, Op: req.Op, HTTPStatus: status, Err: errBodyTooLarge}
		}
		return nil, &paygate.CallError{Provider: c.provider, Op: req.Op, Err: err}
	}
	out := &Response{StatusCode: status, Header: resp.header, Body: resp.body, provider: c.provider, req: req, client: c,
		signed: st.signed}
	if status < 200 {
		return nil, out.Uncertain(&paygate.ResponseError{Provider: c.provider, Op: req.Op, HTTPStatus: status,
			Err: errors.New("a 1xx status is no final answer (its body is not read): only a 2xx is a success")})
	}
	if status >= 300 && status < 400 {
		target := "no Location"
		if resp.location != nil {
			target = "to host " + strconv.Quote(resp.location.Host)
		}
		return nil, out.Uncertain(&paygate.ResponseError{Provider: c.provider, Op: req.Op, HTTPStatus: status,
			Err: fmt.Errorf("redirect %s not followed: a signed request goes only to the configured host", target)})
	}
	if req.Create && status >= 500 {
		return nil, &paygate.OutcomeError{Provider: c.provider, Op: req.Op, OrderID: req.OrderID, Err: out.malformed(nil)}
	}
	return out, nil
}

// providerTimeout is an attempt's own deadline (Options.Timeout) passing while the caller's
// context was live: it matches paygate.ErrProviderTimeout and, through As, the transport's
// error (a *url.Error; it is itself a net.Error whose Timeout is true), but not
// context.DeadlineExceeded, which speaks of the caller's context.
type providerTimeout struct {
	err   error
	after time.Duration
}

func (e *providerTimeout) Error() string {
	return fmt.Sprintf("%v (%s): %v", paygate.ErrProviderTimeout, e.after, e.err)
}

// Is matches paygate.ErrProviderTimeout only: there is no Unwrap, so that the
// context.DeadlineExceeded inside the transport's error is not matched.
func (e *providerTimeout) Is(target error) bool { return target == paygate.ErrProviderTimeout }

// As finds target in the transport's error (a *url.Error, a *net.OpError).
func (e *providerTimeout) As(target any) bool { return errors.As(e.err, target) }

// Timeout reports true: net.Error.
func (e *providerTimeout) Timeout() bool { return true }

// Temporary reports true: net.Error (deprecated there, still part of it).
func (e *providerTimeout) Temporary() bool { return true }

// answer is what one attempt was answered, its body read whole.
type answer struct {
	status   int
	header   http.Header
	body     []byte
	location *url.URL // a 3xx's Location, resolved against the request's URL; nil if none
}

// send makes one attempt at req, signed afresh when req.Sign is set (the signature is kept in
// st, never to be quoted), within the timeout, and reads the answer's body whole, up to
// MaxResponseBytes (resty is told not to read it: its reader costs every request another
// buffer).
func (c *Client) send(ctx context.Context, req *Request, st *attemptState) (*answer, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	rr := c.r.R().SetContext(ctx).SetDoNotParseResponse(true)
	if req.Query != nil {
		rr.SetQueryParamsFromValues(req.Query)
	}
	for k, vs := range req.Header {
		rr.Header[k] = append(rr.Header[k], vs...) // as given: the provider's documented header case is kept
	}
	if req.Sign != nil {
		for k, vs := range req.Sign() {
			rr.Header[k] = vs
			if strings.EqualFold(k, c.sigKey) {
				st.signed = append(st.signed, vs...)
			}
		}
	}
	if req.Body != nil {
		// A reader, not the bytes: resty copies a []byte body twice more per attempt.
		rr.SetBody(bytes.NewReader(req.Body))
		if _, ok := rr.Header["Content-Type"]; !ok {
			rr.Header["Content-Type"] = []string{"application/json"}
			if _, ok := rr.Header["Accept"]; !ok {
				// What resty would add, found by a regular expression on every request.
				rr.Header["Accept"] = []string{"application/json"}
			}
		}
	}
	// The URL whole: resty parses a path twice more to join it to a base URL.
	resp, err := rr.Execute(req.Method, c.baseURL+req.Path)
	if err != nil {
		return nil, err
	}
	hr := resp.RawResponse
	if hr.StatusCode < http.StatusOK {
		// A 1xx as the final answer (a 101 no request asked for) is no answer, and is not
		// read: net/http gives a 101 with Connection: Upgrade the connection itself as its
		// body and no longer watches ctx, so reading it would outlast every timeout. Closing
		// it closes the connection.
		_ = hr.Body.Close()
		return &answer{status: hr.StatusCode, header: hr.Header}, nil
	}
	body, err := io.ReadAll(io.LimitReader(hr.Body, MaxResponseBytes+1))
	if cerr := hr.Body.Close(); err == nil {
		err = cerr
	}
	if err == nil && len(body) > MaxResponseBytes {
		err = errBodyTooLarge
	}
	a := &answer{status: hr.StatusCode, header: hr.Header, body: body}
	if hr.StatusCode >= 300 && hr.StatusCode < 400 {
		a.location, _ = hr.Location()
	}
	return a, err
}

// errBodyTooLarge is the error of an answer whose body is over MaxResponseBytes.
var errBodyTooLarge = fmt.Errorf("response body over %d bytes", MaxResponseBytes)

// backoff is the wait before attempt n+1: from MinWait doubling up to MaxWait (a MaxWait
// under MinWait is MinWait), the second half of it random ("equal jitter"), never under
// MinWait.
func backoff(p paygate.RetryPolicy, n int) time.Duration {
	ceiling := max(p.MaxWait, p.MinWait)
	d := p.MinWait
	for i := 1; i < n && d < ceiling; i++ {
		if d > ceiling/2 {
			d = ceiling
		} else {
			d *= 2
		}
	}
	if d <= 0 {
		return 0
	}
	half := d / 2
	return max(p.MinWait, half+rand.N(d-half)) //nolint:gosec // jitter spreads retries; it guards no secret
}

// wait holds req until the limiter lets it go. A shared Limiter that fails (its store is
// away) fails open with one Warn line: a provider's own rate refusal is a definite refusal.
// A wait the context ends, or the in-process limiter refuses as outlasting the deadline, is
// not-sent.
func (c *Client) wait(ctx context.Context, req *Request) error {
	switch {
	case c.shared != nil:
		err := c.shared.Wait(ctx, c.limiterKey)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return &paygate.NotSentError{Provider: c.provider, Op: req.Op, Err: fmt.Errorf("waiting for the rate limiter: %w", ctx.Err())}
		}
		if errors.Is(err, context.DeadlineExceeded) { // a wait that would outlast the deadline, refused
			return &paygate.NotSentError{Provider: c.provider, Op: req.Op, Err: err}
		}
		c.log.LogAttrs(ctx, slog.LevelWarn, "paygate rate limiter failed; sending without it",
			slog.String("provider", c.provider), slog.String("op", req.Op), slog.String("error", err.Error()))
		return nil
	case c.limiter != nil:
		if err := c.limiter.Wait(ctx); err != nil {
			if ctx.Err() == nil { // x/time/rate refuses at once a wait that would outlast the deadline
				err = fmt.Errorf("client-side rate limit of %g requests/s: %w", float64(c.limiter.Limit()), context.DeadlineExceeded)
			}
			return &paygate.NotSentError{Provider: c.provider, Op: req.Op, Err: err}
		}
	}
	return nil
}

// redactURL drops the query string from the URL net/http quotes in its errors: signed GET
// requests (CaiPay) carry the merchant's token and signature there.
func redactURL(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	u, perr := url.Parse(ue.URL)
	if perr != nil {
		return &url.Error{Op: ue.Op, URL: "(unparsable URL)", Err: ue.Err}
	}
	if u.RawQuery == "" && u.User == nil {
		return err
	}
	u.RawQuery, u.User = "", nil
	clean := &url.Error{Op: ue.Op, URL: u.String() + "?…", Err: ue.Err}
	if ue == err { //nolint:errorlint // the top of the chain is replaced whole
		return clean
	}
	// Deeper in a chain: keep the chain for errors.Is/As, print the clean text.
	return &redacted{err: err, msg: strings.ReplaceAll(err.Error(), ue.Error(), clean.Error())}
}

type redacted struct {
	err error
	msg string
}

func (r *redacted) Error() string { return r.msg }
func (r *redacted) Unwrap() error { return r.err }

// retryable is the one retry rule: reads retry on transport errors, 429 and 5xx; creates only
// when the request was provably never written, so it cannot have reached the provider.
func retryable(create bool, resp *answer, err error, st *attemptState) bool {
	if err != nil {
		if errors.Is(err, errBodyTooLarge) {
			return false
		}
		return !create || st.notSent(err)
	}
	if create || resp == nil {
		return false
	}
	return resp.status == http.StatusTooManyRequests || resp.status >= 500
}

// dialFailure reports a failure before a connection existed (dial errors, connection
// refused, DNS failures): then the provider cannot have seen the request. It is the fallback
// for transports that report no httptrace events.
func dialFailure(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// attemptKey carries a Do call's *attemptState to the pre-request hook (noReplay) and
// attemptTransport: one context value for both.
type attemptKey struct{}

// attemptState follows one Do call across its attempts: its Request (for telling a
// create), whether any attempt wrote its request
// (net/http/httptrace WroteRequest), and what to tell the observer.
type attemptState struct {
	req      *Request
	provider string
	host     string
	port     int
	trace    httptrace.ClientTrace
	signed   []string    // the signature of every attempt req.Sign signed (Options.SignatureKey)
	redact   []string    // the client's secrets and API key (Options.Redact)
	sigKey   string      // where the signature goes (Options.SignatureKey)
	traced   atomic.Bool // a connection was asked for: httptrace events are reported
	wrote    atomic.Bool // some attempt's request was (at least partly) written
	attempts atomic.Int32
}

// credential reports whether a request header carries a credential: the signature's header
// (Options.SignatureKey) or a value holding a secret or the API key (DeekPay's access_key).
func (st *attemptState) credential(name string, values []string) bool {
	if strings.EqualFold(name, st.sigKey) {
		return true
	}
	for _, v := range values {
		for _, s := range st.redact {
			if strings.Contains(v, s) {
				return true
			}
		}
	}
	return false
}

// observed is the copy of a request's header an observer sees: its credentials redacted, as
// every event promises (paygate.Observer). What the observer adds to it is sent.
func (st *attemptState) observed(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		if st.credential(k, vs) {
			vs = []string{redactedText}
		}
		out[k] = slices.Clone(vs)
	}
	return out
}

// stateOf returns the attemptState a Do call put in ctx, or nil.
func stateOf(ctx context.Context) *attemptState {
	st, _ := ctx.Value(attemptKey{}).(*attemptState)
	return st
}

// notSent reports whether err came from attempts none of which wrote its request. Where the
// transport reports no httptrace events (a test double, a custom RoundTripper), only a dial
// or DNS failure counts as not sent.
func (st *attemptState) notSent(err error) bool {
	if st.wrote.Load() {
		return false
	}
	if st.traced.Load() {
		return true
	}
	return dialFailure(err)
}

// attemptTransport sees every attempt Do makes: it counts them and reports them to the
// observer. Whether a request was written is traced by Do's
// ClientTrace, for telling not-sent from outcome-unknown.
type attemptTransport struct {
	base     http.RoundTripper
	observer paygate.Observer
}

func (t *attemptTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	st := stateOf(r.Context())
	if st == nil {
		return t.base.RoundTrip(r)
	}
	n := int(st.attempts.Add(1)) - 1
	if t.observer == nil {
		return t.base.RoundTrip(r)
	}
	ctx := r.Context()
	ev := paygate.AttemptEvent{Provider: st.provider, Operation: st.req.Op, Method: r.Method, URLTemplate: st.req.Path,
		ServerAddress: st.host, ServerPort: st.port, ResendCount: n, Header: st.observed(r.Header), Start: time.Now()}
	ctx = t.observer.AttemptStart(ctx, ev)
	for k, vs := range ev.Header { // what the observer set (trace headers) goes out; credentials stay as signed
		if orig, ok := r.Header[k]; !ok || !st.credential(k, orig) {
			r.Header[k] = vs
		}
	}
	ev.Header = nil
	resp, err := t.base.RoundTrip(r.WithContext(ctx))
	if err != nil {
		ev.Duration = time.Since(ev.Start)
		ev.ErrorType = errorType(err, st)
		t.observer.AttemptEnd(ctx, ev)
		return nil, err
	}
	// The attempt ends with its body: an answer whose headers came in time and whose body
	// then stalled past the timeout, or broke off, is a failed attempt, not a 200.
	ev.StatusCode = resp.StatusCode
	resp.Body = &observedBody{ReadCloser: resp.Body, end: func(err error) {
		ev.Duration = time.Since(ev.Start)
		if err != nil {
			ev.ErrorType = errorType(err, st)
		}
		t.observer.AttemptEnd(ctx, ev)
	}}
	return resp, nil
}

// observedBody calls end once: at the end of the body (err nil), on the first read error
// (err), or when it is closed before either (err nil: the reader stopped, as for a 1xx or a
// body over the limit).
type observedBody struct {
	io.ReadCloser
	end  func(err error)
	done bool
}

func (b *observedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && !b.done {
		b.done = true
		if err == io.EOF { //nolint:errorlint // io.Reader returns io.EOF itself
			b.end(nil)
		} else {
			b.end(err)
		}
	}
	return n, err
}

func (b *observedBody) Close() error {
	if !b.done {
		b.done = true
		b.end(nil)
	}
	return b.ReadCloser.Close()
}

// errorType is a low-cardinality class of a failed attempt, for telemetry.
func errorType(err error, st *attemptState) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case st.notSent(err):
		return "not_sent"
	}
	return "connection"
}

// Uncertain wraps err as an outcome-unknown error when the response belongs to a create:
// for a provider answer that was read but cannot be trusted as either success or refusal.
func (r *Response) Uncertain(err error) error {
	if r.req.Create {
		return &paygate.OutcomeError{Provider: r.provider, Op: r.req.Op, OrderID: r.req.OrderID, Err: err}
	}
	return err
}

func (r *Response) malformed(cause error) *paygate.ResponseError {
	var se *json.SyntaxError
	if cause != nil && errors.As(cause, &se) {
		cause = errors.New("not JSON: " + se.Error())
	}
	return &paygate.ResponseError{Provider: r.provider, Op: r.req.Op, HTTPStatus: r.StatusCode,
		Snippet: Snippet(r.scrub(r.Body)), Err: cause}
}

// scrub returns b without the credentials and request signatures it may echo (a proxy's
// error page quoting the request line carries CaiPay's token and signKey; a refusal may quote
// the sign header it disliked): as written, query-escaped, or inside a JSON string written
// with escapes (PHP's json_encode writes "/" as "\/", .NET writes "+" as "\u002B").
func (r *Response) scrub(b []byte) []byte {
	var values []string
	if r.client != nil {
		for _, s := range slices.Concat(r.client.redact, r.signatures(r.client.sigKey)) {
			if len(s) >= 4 {
				values = append(values, s)
			}
		}
	}
	return scrubValues(b, values)
}

// scrubValues returns b with every value (each of at least 4 bytes) replaced by
// "[REDACTED]": as written, query-escaped, or inside a JSON string written with escapes.
func scrubValues(b []byte, values []string) []byte {
	out := b
	for _, s := range values {
		if bytes.Contains(out, []byte(s)) {
			out = bytes.ReplaceAll(out, []byte(s), []byte(redactedText))
		}
		if q := url.QueryEscape(s); q != s && bytes.Contains(out, []byte(q)) { // a query string quotes it escaped
			out = bytes.ReplaceAll(out, []byte(q), []byte(redactedText))
		}
	}
	return redactEscaped(out, values)
}

const redactedText = "[REDACTED]"

// redactEscaped replaces every JSON string literal of b that is written with escapes and,
// unescaped, contains one of values, whole, by "[REDACTED]". Any character of a JSON string
// may be written escaped, so the escaped forms of a value cannot be listed: the literal is
// read instead. b need not be JSON: a literal that does not decode is left as it is.
func redactEscaped(b []byte, values []string) []byte {
	if len(values) == 0 || bytes.IndexByte(b, '\\') < 0 {
		return b
	}
	var out []byte
	last := 0
	for i := bytes.IndexByte(b, '"'); i >= 0 && i < len(b); {
		end := i + 1 // the closing quote
		for end < len(b) && b[end] != '"' {
			if b[end] == '\\' {
				end++
			}
			end++
		}
		if end >= len(b) {
			break
		}
		var s string
		if lit := b[i : end+1]; bytes.IndexByte(lit, '\\') >= 0 && json.Unmarshal(lit, &s) == nil &&
			slices.ContainsFunc(values, func(v string) bool { return strings.Contains(s, v) }) {
			out = append(append(out, b[last:i]...), `"`+redactedText+`"`...)
			last = end + 1
		}
		next := bytes.IndexByte(b[end+1:], '"')
		if next < 0 {
			break
		}
		i = end + 1 + next
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

// signatures are the values the request carried under key, wherever the provider puts its
// signature: a header given with the request, the one each attempt was signed with, a query
// parameter, a field of the JSON body. They are looked for only when an answer is quoted,
// never on a success.
func (r *Response) signatures(key string) []string {
	if key == "" {
		return nil
	}
	out := append([]string(nil), r.signed...)
	for k, vs := range r.req.Header {
		if strings.EqualFold(k, key) {
			out = append(out, vs...)
		}
	}
	for k, vs := range r.req.Query {
		if strings.EqualFold(k, key) {
			out = append(out, vs...)
		}
	}
	var fields map[string]json.RawMessage
	if len(r.req.Body) > 0 && json.Unmarshal(r.req.Body, &fields) == nil {
		for k, raw := range fields {
			if !strings.EqualFold(k, key) {
				continue
			}
			var v string
			if json.Unmarshal(raw, &v) != nil {
				v = string(raw) // a number or other literal, quoted as its text
			}
			out = append(out, v)
		}
	}
	return out
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Malformed is a *paygate.ResponseError about this response for cause, e.g. a missing field.
func (r *Response) Malformed(cause error) error { return r.Uncertain(r.malformed(cause)) }

// ProviderError is the provider's refusal, carrying its code and message.
func (r *Response) ProviderError(code, message string) *paygate.ProviderError {
	raw := r.scrub(r.Body)
	if len(raw) > 4<<10 {
		raw = raw[:4<<10]
	}
	return &paygate.ProviderError{Provider: r.provider, Op: r.req.Op, HTTPStatus: r.StatusCode,
		Code: code, Message: string(r.scrub([]byte(message))), Raw: append([]byte(nil), raw...)}
}

// Raw is the body as a json.RawMessage (no copy: the body is read into a buffer of its own).
func (r *Response) Raw() json.RawMessage { return json.RawMessage(r.Body) }

// Snippet returns at most SnippetBytes of b, cut on a rune boundary.
func Snippet(b []byte) string {
	if len(b) <= SnippetBytes {
		return string(b)
	}
	cut := SnippetBytes
	for cut > 0 && !utf8.RuneStart(b[cut]) {
		cut--
	}
	return string(b[:cut]) + "…"
}

type discardLogger struct{}

func (discardLogger) Errorf(string, ...any) {}
func (discardLogger) Warnf(string, ...any)  {}
func (discardLogger) Debugf(string, ...any) {}

// CloseIdleConnections closes the wrapped transport's idle connections.
func (t *attemptTransport) CloseIdleConnections() {
	if ci, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}
