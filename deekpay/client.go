package deekpay

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/check"
	"github.com/paygate-go/paygate/internal/engine"
	"github.com/paygate-go/paygate/internal/wire"
	"github.com/paygate-go/paygate/signing"
)

// Name is the provider's registered name.
const Name = "deekpay"

// ContentType is the Content-Type the HamBit API (docs.hambit.co/indian) gives for every request.
const ContentType = "application/json;charset=utf-8"

// The authentication header names, carried by every request and every callback.
const (
	HeaderAccessKey = "access_key"
	HeaderTimestamp = "timestamp"
	HeaderNonce     = "nonce"
	HeaderSign      = "sign"
)

// DefaultCallbackTolerance is how far a callback's timestamp header may lie from the clock,
// in either direction, before the callback is refused (Options["callback_tolerance"]).
const DefaultCallbackTolerance = 5 * time.Minute

// Endpoint paths of the HamBit API (docs.hambit.co/indian).
const (
	PathPing            = "/ping"
	PathCreateCollect   = "/api/v3/ind/createCollectingOrder"
	PathCreateTransfer  = "/api/v3/ind/createTransferOrder"
	PathQueryCollecting = "/api/v3/ind/query/collectingOrder"
	PathQueryTransfer   = "/api/v3/ind/query/transferOrder"
	PathBalance         = "/api/v3/ind/query/balance"
	PathBanks           = "/api/v3/ind/query/bank"
)

func init() { engine.Register(Name, New, Options, SignSchemes) }

// SignSchemes is how DeekPay signs a request: HMAC-SHA1 of "k=v&k=v" over the fields and the
// access_key, timestamp and nonce headers, sent in the sign header.
var SignSchemes = []signing.Scheme{{Canonical: signing.HMACCanonical, Sign: signing.HMACSHA1,
	Formula: "base64(hmac-sha1(secret, canonical))", Requires: []string{HeaderAccessKey, HeaderTimestamp, HeaderNonce}}}

// Client is a DeekPay gateway. It is safe for concurrent use.
type Client struct {
	*engine.Base
	accessKey  string
	accessKeys []string // ours first, then Options["previous_access_keys"]: callbacks may name any
	tolerance  time.Duration
	nonce      func() string
}

var _ paygate.Gateway = (*Client)(nil)

// spec is DeekPay for the engine: every operation but a direct (host-to-host) pay-in, which
// DeekPay does not offer: a pay-in is always DeekPay's hosted cashier. Its only merchant
// identifier is the access key, a credential: String names none, and the account the
// webhook's dedupe key and the rate limiter tell apart is a digest of it (AccountByAPIKey).
var spec = engine.Spec{
	Name: Name, Required: []string{"base_url", "api_key", "secret"}, Envelope: readEnvelope, SignatureKey: HeaderSign,
	AccountByAPIKey: true,
	Capabilities: paygate.Capabilities{PayIn: true, PayOut: true, QueryPayIn: true, QueryPayOut: true,
		Balance: true, Callbacks: true, Currency: paygate.INR, AmountStyle: paygate.Trimmed},
}

// New returns a DeekPay client for cfg. BaseURL, APIKey (the access_key) and Secret (the
// secret_key) are required: DeekPay publishes no default host.
func New(cfg paygate.Config, opts ...paygate.Option) (*Client, error) {
	base, err := engine.New(spec, cfg, engine.Options{BaseURL: cfg.BaseURL}, opts...)
	if err != nil {
		return nil, err
	}
	tolerance := DefaultCallbackTolerance
	if v := cfg.Option("callback_tolerance", ""); v != "" {
		tolerance, _ = callbackTolerance(v) // its OptionSpec's Check refused any other form
	}
	c := &Client{accessKey: cfg.APIKey, accessKeys: []string{cfg.APIKey}, tolerance: tolerance, Base: base}
	c.nonce = c.Settings.Nonce
	for _, k := range strings.Split(cfg.Option("previous_access_keys", ""), ",") {
		if k = strings.TrimSpace(k); k != "" {
			c.accessKeys = append(c.accessKeys, k)
		}
	}
	if c.nonce == nil {
		c.nonce = uuid.NewString // a random (version 4) UUID, DeekPay's nonce
	}
	return c, nil
}

// Headers returns the four authentication headers of DeekPay (HamBit) for a request whose
// signed parameters are params (the JSON body's fields, or a GET request's query):
// sign = Base64(HMAC-SHA1(secret, "k=v&k=v" of the non-empty params plus access_key,
// timestamp and nonce, in ASCII key order)). params is not modified.
func Headers(params map[string]string, accessKey, secret, timestamp, nonce string) http.Header {
	fields := make(map[string]string, len(params)+3)
	for k, v := range params {
		fields[k] = v
	}
	fields[HeaderAccessKey], fields[HeaderTimestamp], fields[HeaderNonce] = accessKey, timestamp, nonce
	h := http.Header{}
	h.Set("Content-Type", ContentType)
	h.Set(HeaderAccessKey, accessKey)
	h.Set(HeaderTimestamp, timestamp)
	h.Set(HeaderNonce, nonce)
	h.Set(HeaderSign, signing.HMACSHA1(fields, secret))
	return h
}

// envelope is every DeekPay response: {"code":"200","success":true,"msg","msgEn","data"}.
type envelope struct {
	Code    wire.Text `json:"code"`
	Success bool      `json:"success"`
	Msg     string    `json:"msg"`
	MsgEn   string    `json:"msgEn"`
	Data    any       `json:"data"` // decoded into what readEnvelope is given
}

// readEnvelope reads a DeekPay answer. Code 200 with success true is a success; success is
// the envelope's flag, which the engine holds against the code. Other codes refuse, carrying
// msgEn (msg when msgEn is empty). DeekPay lists no error codes: its codes are HTTP statuses
// ("200"), so the client-error statuses in refusals are taken as refusals, duplicates and
// unknown orders are recognised from the message, and 429 is retryable. Any other code (a
// 5xx, 201, 1001, none) does not say that a create was not taken.
func readEnvelope(body []byte, data any) (engine.Envelope, error) {
	env := envelope{Data: data}
	if err := json.Unmarshal(body, &env); err != nil {
		return engine.Envelope{}, err
	}
	return env.read(), nil
}

func (env *envelope) read() engine.Envelope {
	msg := env.MsgEn
	if msg == "" {
		msg = env.Msg
	}
	e := engine.Envelope{Code: string(env.Code), Message: msg, Flag: engine.FlagFalse} // DeekPay always sends success
	if env.Success {
		e.Flag = engine.FlagTrue
	}
	if env.Code == "200" {
		return e
	}
	e.Verdict = engine.Refused
	n, numeric := strconv.Atoi(string(env.Code))
	lower := strings.ToLower(env.MsgEn + " " + env.Msg)
	switch {
	case strings.Contains(lower, "duplicate") || strings.Contains(lower, "already exist") || strings.Contains(lower, "repeat"):
		e.Err = paygate.ErrDuplicateOrder
	case strings.Contains(lower, "not exist") || strings.Contains(lower, "not found") || strings.Contains(lower, "no such order"):
		e.Err = paygate.ErrOrderNotFound
	}
	e.Retryable = numeric == nil && n == http.StatusTooManyRequests
	e.Definite = numeric == nil && refusals[n]
	return e
}

// refusals are the HTTP client-error statuses a DeekPay refusal is taken to mean "not done":
// bad request, unauthorized, forbidden, not found, conflict, too many requests.
var refusals = map[int]bool{
	http.StatusBadRequest: true, http.StatusUnauthorized: true, http.StatusForbidden: true,
	http.StatusNotFound: true, http.StatusConflict: true, http.StatusTooManyRequests: true,
}

// call is one request to DeekPay.
type call struct {
	op, method, path string
	fields           map[string]string     // the JSON body (POST) or the query (GET)
	create           *engine.Order         // set on a create
	asked            *paygate.QueryRequest // set on a query: the answer must be about this order
	noData           bool
	envelope         func(body []byte, data any) (engine.Envelope, error)
}

// do sends cl, signed afresh for every attempt (a retried read carries a fresh timestamp,
// nonce and sign), and decodes the data of a success into out (when out is not nil).
func (c *Client) do(ctx context.Context, cl call, out any) (*engine.Reply, error) {
	var body []byte
	var query url.Values
	if cl.method == http.MethodGet {
		if len(cl.fields) > 0 {
			query = url.Values{}
			for k, v := range cl.fields {
				query.Set(k, v)
			}
		}
	} else {
		b, err := wire.Encode(cl.fields)
		if err != nil {
			return nil, fmt.Errorf("paygate: deekpay %s: encode: %w", cl.op, err)
		}
		body = b
	}
	return c.Call(ctx, &engine.Call{Op: cl.op, Method: cl.method, Path: cl.path, Query: query,
		Body: body, Create: cl.create, Asked: cl.asked, NoData: cl.noData, Envelope: cl.envelope,
		Sign: func() http.Header {
			return Headers(cl.fields, c.accessKey, c.Secrets[0], wire.Timestamp(c.Now()), c.nonce())
		}}, out)
}

// The orderStatus tables of the collecting-order and transfer-order queries.
var (
	collectingStatuses = map[string]paygate.Status{
		"1": paygate.StatusPending,   // to be paid
		"2": paygate.StatusSucceeded, // payment successful
	}
	transferStatuses = map[string]paygate.Status{
		"1":  paygate.StatusPending,    // accepted
		"2":  paygate.StatusProcessing, // bank processing in progress
		"4":  paygate.StatusFailed,     // failure (not accepted by banks)
		"8":  paygate.StatusSucceeded,  // success
		"16": paygate.StatusFailed,     // failure
	}
	// namedStatuses maps the text statuses callbacks may carry instead of numbers
	// ("Completed", as HamBit sends them), normalized by statusName.
	namedStatuses = map[string]paygate.Status{
		"completed": paygate.StatusSucceeded, "complete": paygate.StatusSucceeded,
		"success": paygate.StatusSucceeded, "successful": paygate.StatusSucceeded,
		"succeeded": paygate.StatusSucceeded, "paid": paygate.StatusSucceeded,
		"paymentsuccessful": paygate.StatusSucceeded,
		"pending":           paygate.StatusPending, "tobepaid": paygate.StatusPending,
		"unpaid": paygate.StatusPending, "created": paygate.StatusPending,
		"accepted": paygate.StatusPending, "waiting": paygate.StatusPending,
		"processing": paygate.StatusProcessing, "inprogress": paygate.StatusProcessing,
		"bankprocessinginprogress": paygate.StatusProcessing,
		"failed":                   paygate.StatusFailed, "failure": paygate.StatusFailed,
		"fail": paygate.StatusFailed, "rejected": paygate.StatusFailed,
		"cancelled": paygate.StatusCancelled, "canceled": paygate.StatusCancelled,
		"closed": paygate.StatusCancelled, "expired": paygate.StatusCancelled,
		"timeout":  paygate.StatusCancelled,
		"reversed": paygate.StatusReversed, "refunded": paygate.StatusReversed,
	}
	// lapsedNames are the texts that say a payment window ended unpaid: final for a pay-in,
	// which can no longer be paid. DeekPay's transfer table has no such state, and a transfer
	// that "timed out" may still be paid by the bank: for a pay-out they are StatusUnknown.
	lapsedNames = map[string]bool{"closed": true, "expired": true, "timeout": true}
)

// MapPayInStatus maps a collecting order's orderStatus (1 to be paid, 2 payment successful).
// Any other value is StatusUnknown.
func MapPayInStatus(raw string) paygate.Status { return check.Status(collectingStatuses, raw) }

// MapPayOutStatus maps a transfer order's orderStatus (1 accepted, 2 bank processing, 4 not
// accepted by banks, 8 success, 16 failure). Any other value is StatusUnknown.
func MapPayOutStatus(raw string) paygate.Status { return check.Status(transferStatuses, raw) }

// MapStatusName maps a text status such as "Completed" or "Failed", in any case and with
// any spacing; a parenthesised remark is ignored ("Failure (not accepted by banks)").
// An unknown text is StatusUnknown. It reads a pay-in's: "Timeout", "Expired" and "Closed"
// are StatusCancelled (see MapStatus for a pay-out's).
func MapStatusName(raw string) paygate.Status { return check.Status(namedStatuses, statusName(raw)) }

// MapStatus maps an orderStatus of an order of kind: a number by the kind's table, a text
// by MapStatusName, except that a pay-out's "Timeout", "Expired" or "Closed" is
// StatusUnknown (a transfer that timed out may still be paid).
func MapStatus(kind paygate.Kind, raw string) paygate.Status {
	raw = strings.TrimSpace(raw)
	if isDigits(raw) {
		if kind == paygate.KindPayOut {
			return MapPayOutStatus(raw)
		}
		return MapPayInStatus(raw)
	}
	if kind == paygate.KindPayOut && lapsedNames[statusName(raw)] {
		return paygate.StatusUnknown
	}
	return MapStatusName(raw)
}

func statusName(raw string) string {
	if i := strings.IndexByte(raw, '('); i >= 0 {
		raw = raw[:i]
	}
	var b strings.Builder
	for _, r := range strings.ToLower(raw) {
		if r != ' ' && r != '_' && r != '-' && r != '\t' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// rawStatus is RawStatus: the orderStatus value, followed by a space and the
// orderStatusCode text when DeekPay sent one ("8 SUCCESS"). Split it with SplitRawStatus.
func rawStatus(status, code string) string {
	status, code = strings.TrimSpace(status), strings.TrimSpace(code)
	if code == "" || code == status {
		return status
	}
	if status == "" {
		return code
	}
	return status + " " + code
}

// SplitRawStatus splits a RawStatus this package wrote into DeekPay's orderStatus and its
// orderStatusCode text (empty when none was sent). A text orderStatus is returned whole.
func SplitRawStatus(raw string) (status, code string) {
	first, rest, found := strings.Cut(raw, " ")
	if found && isDigits(first) {
		return first, rest
	}
	return raw, ""
}
