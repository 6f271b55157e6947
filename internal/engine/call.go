package engine

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/transport"
	"github.com/paygate-go/paygate/internal/wire"
)

// Verdict is what an envelope's code says about the request.
type Verdict int

// The verdicts.
const (
	// Accepted: the code is the provider's success code; Data holds the answer.
	Accepted Verdict = iota
	// Refused: the code is not a success, with Code and Message.
	Refused
)

// Flag is what an envelope's own success flag says (CaiPay's ok, DeekPay's and PayPro's
// success), as the reader read it. The engine holds it against the code: a flag that says the
// opposite of the code makes the envelope contradict itself, whichever way round.
type Flag int

// The flags.
const (
	// NoFlag: the provider's envelope has no success flag, or this answer left out one the
	// provider may leave out.
	NoFlag Flag = iota
	// FlagTrue: the flag says success.
	FlagTrue
	// FlagFalse: the flag says failure (or is missing where the provider always sends it).
	FlagFalse
)

// Envelope is a provider's envelope as its spec read it.
type Envelope struct {
	Verdict Verdict
	Flag    Flag
	Code    string
	Message string
	// For a refusal:
	Err       error // a sentinel classifying it (paygate.ErrDuplicateOrder, ErrOrderNotFound), or nil
	Retryable bool  // repeating the same read later may succeed (rate limit, busy)
	// Definite marks a refusal that says plainly "not done": a code (or, where the provider
	// has no codes, a message) that the provider documents as a refusal. Any other refusal —
	// a 5xx-class code, a busy system, a code meaning "unknown", a code the provider does not
	// document — may hide an order that was made: on a create it is outcome-unknown. The zero
	// value is the safe one: a reader that does not know leaves it false.
	Definite bool
}

// contradicts reports whether the envelope's success flag says the opposite of its code.
func (e *Envelope) contradicts() bool {
	return (e.Verdict == Accepted && e.Flag == FlagFalse) || (e.Verdict == Refused && e.Flag == FlagTrue)
}

// Call is one request to the provider.
type Call struct {
	Op     string // "payin", "payout", "query", "balance", ...
	Method string // default POST
	Path   string // the documented path, without query: it is also the URL template in telemetry
	Query  url.Values
	Header http.Header
	Body   []byte
	// Create, when set, marks a request that moves money: never re-sent once it may have
	// left, and its answer is held to the order it makes (see Answerer).
	Create *Order
	// Asked, when set, marks a read about one order (a query): its answer is held to the
	// order asked for (see Answerer and Reply.Answers).
	Asked *paygate.QueryRequest
	// Sign, when set, signs every attempt afresh (DeekPay's timestamp and nonce). Whatever
	// the request carries under Spec.SignatureKey is never quoted from an answer.
	Sign func() http.Header
	// NoData accepts a success without data (an acknowledgement).
	NoData bool
	// Envelope, when set, reads this call's answer instead of the spec's reader (an
	// endpoint whose answer has another shape).
	Envelope func(body []byte, data any) (Envelope, error)
}

// Order is the order a create makes.
type Order struct {
	ID     string        // the merchant order number
	Kind   paygate.Kind  // pay-in or pay-out
	Amount paygate.Money // the amount asked for, in the order's currency
}

// Reply is an accepted answer.
type Reply struct {
	resp     *transport.Response
	env      Envelope
	data     json.RawMessage // the data member, when the call decoded it into no out
	call     *Call
	cur      paygate.Currency // the provider's currency
	merchant string           // Config.MerchantID
	amount   paygate.Money    // a create's amount, as created found it
}

// Call runs the pipeline: send (the transport signs each attempt when asked, never follows a
// redirect, never re-sends a create), HTTP status, envelope, verdict, data. It decodes the
// envelope's data into out (a pointer, or nil) and returns the Reply. A create's out must be
// an Answerer: what it answers is held to the request (Reply.Amount). So must a query's, unless
// out is nil: then the provider reads the data itself and holds it to the query with
// Reply.Answers.
func (b *Base) Call(ctx context.Context, c *Call, out any) (*Reply, error) {
	method := c.Method
	if method == "" {
		method = http.MethodPost
	}
	create, orderID := c.Create != nil, ""
	if create {
		orderID = c.Create.ID
	}
	for k, vs := range c.Query { // a JSON body's text is checked by wire.Encode
		if err := wire.ValidText(vs); err != nil {
			var ve *paygate.ValidationError
			if errors.As(err, &ve) {
				ve.Field = k
			}
			return nil, err
		}
	}
	resp, err := b.t.Do(ctx, &transport.Request{Op: c.Op, Method: method, Path: c.Path, Query: c.Query,
		Header: c.Header, Body: c.Body, Create: create, OrderID: orderID, Sign: c.Sign})
	if err != nil {
		return nil, err
	}
	if len(resp.Body) == 0 {
		return nil, resp.Malformed(errors.New("empty body"))
	}
	read := b.spec.Envelope
	if c.Envelope != nil {
		read = c.Envelope
	}
	env, data, decoded, err := readBody(read, resp.Body, out)
	if err != nil {
		return nil, resp.Malformed(err)
	}
	if namedTwice(resp.Body) {
		return nil, resp.Malformed(errors.New("the envelope names a member twice: it says two things"))
	}
	if env.contradicts() {
		return nil, resp.Malformed(fmt.Errorf("the envelope contradicts itself (code %s, success flag %t)", env.Code, env.Flag == FlagTrue))
	}
	if env.Verdict == Refused {
		pe := resp.ProviderError(env.Code, env.Message)
		pe.Err, pe.Retryable = env.Err, env.Retryable && !create
		// An HTTP 429 is the provider's rate limit, which turns a request away before any
		// work: a refusal under it is definite whatever its code.
		if create && !env.Definite && resp.StatusCode != http.StatusTooManyRequests {
			return nil, resp.Uncertain(pe)
		}
		return nil, pe
	}
	if resp.StatusCode < 200 || resp.StatusCode >= 300 { // only a 2xx can be a success (the transport already refuses a 1xx)
		return nil, resp.Malformed(fmt.Errorf("a success envelope under HTTP status %d", resp.StatusCode))
	}
	r := &Reply{resp: resp, env: env, data: data, call: c, cur: b.spec.Capabilities.Currency, merchant: b.merchantID}
	if !decoded && (len(data) == 0 || string(data) == "null") {
		if c.NoData {
			return r, nil
		}
		return nil, resp.Malformed(errors.New("success without data"))
	}
	if out != nil && !decoded {
		if err := json.Unmarshal(data, out); err != nil {
			return nil, resp.Malformed(fmt.Errorf("data: %w", err))
		}
	}
	switch {
	case create:
		a, ok := out.(Answerer)
		if !ok { // a provider package's mistake, caught by its first test; the order may exist
			return nil, resp.Malformed(fmt.Errorf("engine: the data of create %q, %T, is not an Answerer", c.Op, out))
		}
		if r.amount, err = r.created(a.Answer(), out); err != nil {
			return nil, err
		}
	case c.Asked != nil && out != nil:
		a, ok := out.(Answerer)
		if !ok { // a provider package's mistake, caught by its first test
			return nil, resp.Malformed(fmt.Errorf("engine: the data of query %q, %T, is not an Answerer", c.Op, out))
		}
		if err := r.Answers(a.Answer()); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// readBody reads body's envelope. With out a pointer, it first decodes the data member into
// out in the same pass (decoded); data that is absent or null leaves out as it was. Where
// out is nil, or that pass failed (a refusal's data of another shape, data that does not fit
// out, a body that is no envelope), it reads the envelope again keeping the data member raw.
func readBody(read func([]byte, any) (Envelope, error), body []byte, out any) (env Envelope, data json.RawMessage, decoded bool, err error) {
	if out != nil {
		// A nil *T: decoding allocates it only when the data member is present and not null.
		target := reflect.New(reflect.TypeOf(out))
		if env, err := read(body, target.Interface()); err == nil {
			if p := target.Elem(); !p.IsNil() {
				reflect.ValueOf(out).Elem().Set(p.Elem())
				return env, nil, true, nil
			}
			return env, nil, false, nil
		}
	}
	env, err = read(body, &data)
	return env, data, false, err
}

// Raw is the response body, untouched.
func (r *Reply) Raw() json.RawMessage { return r.resp.Raw() }

// Data is the envelope's data member, raw, for a call made with no out to decode it into.
func (r *Reply) Data() json.RawMessage { return r.data }

// NotFound is the provider's answer that it has no such order, given as a success with no
// order in it: a *paygate.ProviderError wrapping paygate.ErrOrderNotFound.
func (r *Reply) NotFound(message string) error {
	if message == "" {
		message = r.env.Message
	}
	pe := r.resp.ProviderError(r.env.Code, message)
	pe.Err = paygate.ErrOrderNotFound
	return pe
}

// Refused is a refusal carried inside an accepted envelope (a failure status in the data):
// a *paygate.ProviderError with the given code and message.
func (r *Reply) Refused(code, message string) *paygate.ProviderError {
	return r.resp.ProviderError(code, message)
}

// Malformed is an error about this answer for cause: a *paygate.ResponseError, and on a create
// a *paygate.OutcomeError around it.
func (r *Reply) Malformed(cause error) error { return r.resp.Malformed(cause) }

// An Answerer is the data of an answer about one order (a create's, a query's): it tells what
// the answer says about the order.
type Answerer interface{ Answer() Answer }

// A Checker is the data of a create's answer that can itself refuse the order, or leave the
// outcome open, under an accepted envelope (PayPro's data.status). Check returns that refusal
// (Reply.Refused) or doubt (Reply.Malformed), or nil. It is asked once the answer is known to
// be about our order, before the provider's order number and amount are required.
type Checker interface{ Check(r *Reply) error }

// Answer is what a success says about its order. Empty fields are those the provider's
// answer does not carry; whatever it does carry must be about the order asked for.
type Answer struct {
	OrderID         string       // the merchant order number the answer names
	ProviderOrderID string       // the provider's order number
	Amount          wire.Amount  // the amount the answer names (a create's is checked)
	Currency        string       // the currency the answer states, as written (DeekPay's currencyType)
	Kind            paygate.Kind // the kind of order the answer states (DeekPay's orderType)
	Merchant        string       // the merchant the answer names (CaiPay's tenantId, Cashy's merchantId)
}

// Amount is the amount a create's answer reports: the answer's, or the requested one when the
// answer names none (never zero).
func (r *Reply) Amount() paygate.Money { return r.amount }

// created checks a create's success against its request: the answer must be about our order,
// state no other merchant, kind or currency (stated), must not refuse it (a Checker), must
// give the provider's order number and, where it names one, our amount. It returns the amount
// to report. An answer that fails these checks cannot be trusted either way: outcome-unknown.
func (r *Reply) created(a Answer, data any) (paygate.Money, error) {
	requested, orderID := r.call.Create.Amount, r.call.Create.ID
	if a.OrderID != "" && a.OrderID != orderID {
		return paygate.Money{}, r.Malformed(fmt.Errorf("the answer is about order %q, not %q", a.OrderID, orderID))
	}
	// An amount in no currency is one in the provider's (check.Amount refused any other).
	if err := r.stated(a, r.call.Create.Kind, cmp.Or(requested.Currency(), r.cur)); err != nil {
		return paygate.Money{}, err
	}
	if c, ok := data.(Checker); ok {
		if err := c.Check(r); err != nil {
			return paygate.Money{}, err
		}
	}
	switch {
	case a.ProviderOrderID == "":
		return paygate.Money{}, r.Malformed(errors.New("a success without the provider's order number"))
	case a.Amount.Set && !a.Amount.Value.Equal(requested.Decimal()):
		return paygate.Money{}, r.Malformed(fmt.Errorf("the answer is for amount %s, not %s", a.Amount.Value, requested.Decimal()))
	case a.Amount.Set:
		return paygate.NewMoney(a.Amount.Value, r.cur), nil
	}
	return paygate.NewMoney(requested.Decimal(), r.cur), nil
}

// Answers checks a query's answer a against the order asked for (Call.Asked): it must name
// that order — the merchant order number, or the provider's when the query was by that —
// and no number, merchant, kind or currency it states may be another's. An answer that names
// no order, or another, is not one to trust: a *paygate.ResponseError. The engine asks it of
// a query's data when that is an Answerer; a provider reading its data itself (a list of
// orders) asks it of each order it would take.
func (r *Reply) Answers(a Answer) error {
	q := r.call.Asked
	if q == nil { // a provider package's mistake, caught by its first test
		return r.Malformed(fmt.Errorf("engine: %q is not a query: Answers needs Call.Asked", r.call.Op))
	}
	switch {
	case a.OrderID == "" && a.ProviderOrderID == "":
		return r.Malformed(errors.New("the answer names no order"))
	case q.OrderID != "" && a.OrderID != "" && a.OrderID != q.OrderID:
		return r.Malformed(fmt.Errorf("the answer is about order %q, not %q", a.OrderID, q.OrderID))
	case q.ProviderOrderID != "" && a.ProviderOrderID != "" && a.ProviderOrderID != q.ProviderOrderID:
		return r.Malformed(fmt.Errorf("the answer is about the provider's order %q, not %q", a.ProviderOrderID, q.ProviderOrderID))
	case (q.OrderID == "" || a.OrderID != q.OrderID) && (q.ProviderOrderID == "" || a.ProviderOrderID != q.ProviderOrderID):
		// e.g. asked by our number, answered with only a provider number: whose order is it?
		return r.Malformed(errors.New("the answer does not name the order asked for"))
	}
	return r.stated(a, q.Kind, r.cur)
}

// stated checks what an answer states beside the order numbers, alike for creates and
// queries: the merchant, when named, is this one (as callbacks for another merchant are
// refused); the kind, when stated, is the kind asked (a transfer's status read with the
// collecting table would be wrong); the currency, when stated, is the order's (an amount
// in another currency is another amount).
func (r *Reply) stated(a Answer, kind paygate.Kind, cur paygate.Currency) error {
	switch {
	case a.Merchant != "" && a.Merchant != r.merchant:
		return r.Malformed(fmt.Errorf("the answer is for another merchant (%q)", a.Merchant))
	case a.Kind != "" && kind != "" && a.Kind != kind:
		return r.Malformed(fmt.Errorf("the answer is about an order of kind %q, not %q", a.Kind, kind))
	case a.Currency != "" && !strings.EqualFold(strings.TrimSpace(a.Currency), string(cur)):
		return r.Malformed(fmt.Errorf("the answer is in currency %q, not %s", a.Currency, cur))
	}
	return nil
}
