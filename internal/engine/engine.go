// Package engine is the one request pipeline and the one callback verifier every provider
// package uses. A provider package is a spec for it — how it signs, how its envelope reads,
// which of its codes refuse and which leave the outcome open, which callback keys it documents —
// plus ordinary Go for what truly differs. Each rule that holds for every provider is written
// here once:
//
// Construction (New, Register): options the provider did not declare are refused, every
// missing required key is reported at once, a negative Timeout is refused (zero is
// paygate.DefaultTimeout), the host must be an absolute http(s) URL, and a
// failing constructor gives paygate.New a nil Gateway.
//
// Requests (Base.Call, wire.Encode): text that is not valid UTF-8, in a query parameter or a
// JSON body, is a *paygate.ValidationError before anything is signed or sent: JSON would
// carry U+FFFD in its place, another text than the one signed (a signature error at best, an
// altered customer name at worst).
//
// Responses (Base.Call, Answerer, Reply.Amount, Reply.Answers):
//   - redirects are never followed; a 3xx is an error naming the target host (on a create,
//     outcome-unknown);
//   - only a 2xx HTTP status can be a success: a success envelope under any other status is
//     not one, and a 1xx given as the final answer (101 Switching Protocols) is refused by the
//     transport without its body being read, which could hold the call past every timeout (on
//     a create, outcome-unknown);
//   - on a create, an answer that does not say plainly "created" or plainly "refused" is
//     paygate.ErrOutcomeUnknown: an envelope whose success flag says the opposite of its code,
//     either way round (the reader reports the flag, Envelope.Flag, and the engine decides); a
//     refusal the provider does not document as one (Envelope.Definite unset: a code meaning
//     "unknown", a 5xx-class code, a code missing from the provider's table), unless it
//     came under HTTP status 429 (the provider's rate limit took nothing); an envelope
//     naming a top-level member twice, exactly or as encoding/json would match it (case,
//     escapes); an answer about another order or another amount, a success without the
//     provider's order number (a create's data is an Answerer);
//   - a query's answer must name the order asked for (the merchant order number, or the
//     provider's when the query was by that): one naming none, another, or only a number the
//     query was not by is malformed (Call.Asked; a query's data is an Answerer, or the
//     provider asks Reply.Answers of each order of a list);
//   - on creates and queries alike, whatever an answer states beside the numbers must be
//     ours: the merchant (CaiPay's tenantId, Cashy's merchantId), the kind asked (DeekPay's
//     orderType) and the order's currency (an amount in another currency is another amount;
//     one asked for in no currency is in the provider's);
//   - a create success that omits the amount reports the requested amount, never zero;
//   - an error quoting a response first removes the secrets, API key, token and every
//     signature the request carried (Spec.SignatureKey: a header, query parameter or body
//     field, on every attempt) from the quote;
//   - a request that provably never left is paygate.ErrNotSent.
//
// Callbacks (Base.Callback): the body is read as flat fields, the signature is checked in
// constant time under the current and every previous secret (signing.Verifier), then the
// shape: keys that would let a forger re-split signed members, undocumented keys where keys
// are unsigned, values carrying another member, a missing field that is always sent. Only
// then is anything in it used. A malformed callback is a *paygate.CallbackError.
package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/check"
	"github.com/paygate-go/paygate/internal/transport"
	"github.com/paygate-go/paygate/signing"
)

// Spec is what a provider tells the engine about itself.
type Spec struct {
	Name         string
	Capabilities paygate.Capabilities
	// MerchantLabel names Config.MerchantID in String ("appid"); empty leaves the merchant ID
	// out of String (DeekPay's only identifier is a credential).
	MerchantLabel string
	// AccountByAPIKey: the provider names the merchant by its API key alone (DeekPay's
	// access_key), so when Config.MerchantID is empty the account — MerchantID(), which the
	// webhook's dedupe key and the rate limiter's key tell accounts apart by — is a digest of
	// the API key ("key-" and 12 hex digits of its SHA-256), never the key itself.
	AccountByAPIKey bool
	// ConfirmCallbacks: the provider's callback signature leaves keys or member boundaries
	// unsigned, so webhook.Handler confirms its callbacks by query unless told otherwise.
	ConfirmCallbacks bool
	// SignatureKey is where the provider's requests carry their signature: the name of a
	// header, a query parameter or a field of the JSON body ("sign", "signKey"; any case).
	// Every value sent under it, on every attempt, is removed from any quote of an answer:
	// a provider package cannot forget to say what it signed. Every provider signs; New
	// refuses a spec without it.
	SignatureKey string
	// Required are the Config keys the provider cannot work without ("base_url",
	// "merchant_id", "api_key", "secret"): New reports every missing one at once.
	Required []string
	// Envelope reads a response body. Its envelope struct has a field `Data any` set to data
	// before decoding, so that the data member is decoded into data in the same pass. It
	// returns an error when the body is not the provider's envelope at all (not JSON, no
	// code), or the decoding's error: the engine then reads the body again with data a
	// *json.RawMessage, to tell the two apart.
	Envelope func(body []byte, data any) (Envelope, error)
}

// Base is embedded in every provider's Client: the methods every Gateway has alike.
type Base struct {
	spec       Spec
	merchantID string
	t          *transport.Client
	observer   paygate.Observer
	// Secrets are the current secret first, then the previous ones.
	Secrets []string
	// Settings are the resolved options.
	Settings paygate.Settings
	redact   []string
}

// Options configure a Base.
type Options struct {
	BaseURL   string     // the host: Config.BaseURL, or the provider's default when that is empty
	RateLimit rate.Limit // requests per second; zero is no in-process limit
	Burst     int
}

// New returns the Base of a provider client for cfg. It checks what every provider checks
// alike: cfg's options are ones the provider declared (paygate.RegisterOptions), every
// Required key is set, Timeout is not negative, and the host is an absolute http(s) URL. Every
// problem is reported at once, an option value its OptionSpec's Allowed or Check refuses
// among them: a provider reading an option may take its value as well-formed.
func New(spec Spec, cfg paygate.Config, o Options, opts ...paygate.Option) (*Base, error) {
	if spec.SignatureKey == "" { // a provider package's mistake, caught by its first test
		return nil, fmt.Errorf("engine: the spec of %q names no SignatureKey", spec.Name)
	}
	var negative, host error
	if cfg.Timeout < 0 {
		negative = paygate.ConfigErr(spec.Name, "timeout", "Config.Timeout %s is negative; leave it zero for paygate.DefaultTimeout (30s)", cfg.Timeout)
	}
	u, err := url.Parse(o.BaseURL)
	required := o.BaseURL == "" && slices.Contains(spec.Required, "base_url") // Require says so
	if !required && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
		host = paygate.ConfigErr(spec.Name, "base_url", "Config.BaseURL must be an absolute http(s) URL")
	}
	if err := errors.Join(cfg.CheckOptions(spec.Name), cfg.Require(spec.Name, spec.Required...), negative, host); err != nil {
		return nil, err
	}
	s := paygate.Resolve(opts...)
	b := &Base{spec: spec, merchantID: account(spec, cfg), Secrets: cfg.Secrets(), Settings: s, observer: s.Observer}
	b.redact = append(append(b.redact, b.Secrets...), cfg.APIKey)
	b.t = transport.New(transport.Options{
		Provider: spec.Name, MerchantID: b.merchantID, BaseURL: strings.TrimRight(o.BaseURL, "/"),
		Timeout: cfg.Timeout, RateLimit: o.RateLimit, Burst: o.Burst, Redact: b.redact,
		SignatureKey: spec.SignatureKey,
	}, s)
	return b, nil
}

// Register makes a provider's constructor and options known to paygate.New (paygate.Register,
// paygate.RegisterOptions), and its signing schemes to tools (signing.Register). A failing
// constructor gives paygate.New a nil Gateway, never a Gateway holding a nil *Client.
func Register[C paygate.Gateway](name string, newClient func(paygate.Config, ...paygate.Option) (C, error),
	options []paygate.OptionSpec, schemes []signing.Scheme,
) {
	paygate.Register(name, func(cfg paygate.Config, opts ...paygate.Option) (paygate.Gateway, error) {
		c, err := newClient(cfg, opts...)
		if err != nil {
			return nil, err
		}
		return c, nil
	})
	paygate.RegisterOptions(name, options...)
	signing.Register(name, schemes...)
}

// Name returns the provider's registered name.
func (b *Base) Name() string { return b.spec.Name }

// Capabilities reports what the provider offers.
func (b *Base) Capabilities() paygate.Capabilities { return b.spec.Capabilities }

// String describes the client without its credentials.
func (b *Base) String() string {
	if b.spec.MerchantLabel == "" {
		return b.spec.Name + ".Client{}"
	}
	return b.spec.Name + ".Client{" + b.spec.MerchantLabel + ": " + b.merchantID + "}"
}

// Format prints the client as String does, under every verb, so that no fmt verb can print
// the credentials held in its fields.
func (b *Base) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(b.String())) }

// ConfirmCallbacks reports whether the provider's callbacks should be confirmed by query
// before they are acted on (webhook.Handler does so unless told otherwise): true where the
// signature leaves keys or member boundaries unsigned.
func (b *Base) ConfirmCallbacks() bool { return b.spec.ConfirmCallbacks }

// CloseIdleConnections closes idle keep-alive connections.
func (b *Base) CloseIdleConnections() { b.t.CloseIdleConnections() }

// MerchantID is the merchant account: Config.MerchantID, or for a provider that names the
// merchant by its API key alone (Spec.AccountByAPIKey) a digest of that key.
func (b *Base) MerchantID() string { return b.merchantID }

// account is the merchant account of cfg (see Base.MerchantID).
func account(spec Spec, cfg paygate.Config) string {
	if cfg.MerchantID != "" || !spec.AccountByAPIKey || cfg.APIKey == "" {
		return cfg.MerchantID
	}
	sum := sha256.Sum256([]byte(cfg.APIKey))
	return "key-" + hex.EncodeToString(sum[:6])
}

// Now is the configured clock's time.
func (b *Base) Now() time.Time { return b.Settings.Clock() }

// Op is one Gateway operation under way, from Begin to End.
type Op struct {
	Name string // "payin", "payout", "query", "balance", or a provider's extra operation
	b    *Base
	ctx  context.Context
	e    paygate.OperationEvent
}

// Begin starts operation name: it reports the start to the observer, if there is one, and
// returns the context to run it in. Defer End with the operation's error.
func (b *Base) Begin(ctx context.Context, name string) (context.Context, Op) {
	o := Op{Name: name, b: b}
	if b.observer == nil {
		return ctx, o
	}
	o.e = paygate.OperationEvent{Provider: b.spec.Name, Operation: name, Start: time.Now()}
	ctx = b.observer.OperationStart(ctx, o.e)
	o.ctx = ctx
	return ctx, o
}

// End finishes the operation whose error *err holds: a *paygate.ValidationError is named
// with provider and operation, and the observer, if there is one, is told the outcome.
func (o Op) End(err *error) {
	if *err != nil {
		*err = check.Named(*err, o.b.spec.Name, o.Name)
	}
	if o.b.observer == nil {
		return
	}
	e := o.e
	e.Duration, e.Outcome, e.Err = time.Since(e.Start), paygate.ClassifyOutcome(*err), *err
	o.b.observer.OperationEnd(o.ctx, e)
}

// Unsupported is paygate.ErrUnsupported for operation op of the provider, saying why:
// "paygate: cashy payin: operation not supported by this provider: <why>". Every provider
// words an operation it lacks this one way, before any I/O.
func (b *Base) Unsupported(op, why string) error {
	return &paygate.CallError{Provider: b.spec.Name, Op: op, Err: unsupported(why)}
}

// unsupported is paygate.ErrUnsupported with a reason, its text without a second "paygate: ".
type unsupported string

func (u unsupported) Error() string {
	return strings.TrimPrefix(paygate.ErrUnsupported.Error(), "paygate: ") + ": " + string(u)
}

func (unsupported) Is(target error) bool { return target == paygate.ErrUnsupported }
