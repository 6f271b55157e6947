package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"

	"github.com/paygate-go/paygate"
	_ "github.com/paygate-go/paygate/providers" // registers every provider with paygate.New
)

// callFlags are the flags every call from a config file takes.
type callFlags struct {
	config  string
	json    bool
	raw     bool
	timeout time.Duration
}

func (f *callFlags) declare(fs *flag.FlagSet) {
	fs.StringVar(&f.config, "config", "", "config file, JSON (*.json) or YAML; ${NAME} reads environment variable NAME (required)")
	fs.BoolVar(&f.json, "json", false, "print the result as indented JSON")
	fs.BoolVar(&f.raw, "raw", false, "also print the provider's response body, untouched")
	fs.DurationVar(&f.timeout, "timeout", 30*time.Second, "deadline of the whole call")
}

// gateway loads the config and builds its Gateway.
func (f *callFlags) gateway(args []string) (paygate.Gateway, error) {
	if len(args) > 0 {
		return nil, usagef("unexpected argument %q", args[0])
	}
	if f.config == "" {
		return nil, usagef("--config is required")
	}
	if f.timeout <= 0 {
		return nil, usagef("--timeout must be positive")
	}
	cfg, err := paygate.LoadConfig(f.config)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, usagef("--config: %s does not exist (a commented sample: examples/paygate.example.yaml)", f.config)
	}
	if err != nil {
		return nil, err
	}
	return paygate.New(cfg)
}

// run builds the Gateway, runs op with it under the --timeout deadline, cancelled by SIGINT or
// SIGTERM, and prints what op returns.
func (f *callFlags) run(ctx context.Context, c *cli, args []string, op func(context.Context, paygate.Gateway) (output, error)) error {
	gw, err := f.gateway(args)
	if err != nil {
		return err
	}
	ctx, stop := untilInterrupted(ctx)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	out, err := op(ctx, gw)
	if err != nil {
		return err
	}
	return f.print(c.stdout, out)
}

// orderFlags are the flags of the calls that create an order: pay-in and pay-out.
type orderFlags struct {
	callFlags
	orderID, amount, currency, notify, channel, remark string
	extra                                              extraFlag
}

// declare declares the flags; amountExample shows an amount in the --amount help, and
// channelHelp is the --channel help.
func (f *orderFlags) declare(fs *flag.FlagSet, amountExample, channelHelp string) {
	f.callFlags.declare(fs)
	fs.StringVar(&f.orderID, "order-id", "", "merchant order number (required)")
	fs.StringVar(&f.amount, "amount", "", "amount, e.g. "+amountExample+" (required)")
	fs.StringVar(&f.currency, "currency", "", "currency (default INR, or PKR for cashy)")
	fs.StringVar(&f.notify, "notify-url", "", "callback address")
	fs.StringVar(&f.channel, "channel", "", channelHelp)
	fs.StringVar(&f.remark, "remark", "", "remark / description")
	fs.Var(&f.extra, "extra", "provider-specific field key=value, sent and signed as given (repeatable)")
}

// run is callFlags.run for a create: --order-id is required, and op is also given --amount,
// in --currency or else the provider's own.
func (f *orderFlags) run(ctx context.Context, c *cli, args []string, op func(context.Context, paygate.Gateway, paygate.Money) (output, error)) error {
	if f.orderID == "" {
		return usagef("--order-id is required")
	}
	return f.callFlags.run(ctx, c, args, func(ctx context.Context, gw paygate.Gateway) (output, error) {
		m, err := amount(f.amount, currency(f.currency, gw))
		if err != nil {
			return output{}, err
		}
		return op(ctx, gw, m)
	})
}

// currency is the --currency flag, or the provider's own currency (its Capabilities).
func currency(flagValue string, gw paygate.Gateway) paygate.Currency {
	if flagValue != "" {
		return paygate.Currency(strings.ToUpper(flagValue))
	}
	return gw.Capabilities().Currency
}

// amount parses --amount exactly, in currency c (--currency, or the provider's own).
func amount(s string, c paygate.Currency) (paygate.Money, error) {
	if s == "" {
		return paygate.Money{}, usagef("--amount is required")
	}
	m, err := paygate.ParseMoney(s, c)
	switch {
	case errors.Is(err, paygate.ErrUnknownCurrency):
		return m, usagef("--currency %q: paygate's providers settle in INR and PKR only", c)
	case err != nil:
		return m, usagef("--amount %q is not a plain decimal amount such as 100 or 100.50", s)
	}
	return m, nil
}

// extraFlag collects repeated --extra key=value flags.
type extraFlag map[string]string

func (e *extraFlag) String() string { return "" }

func (e *extraFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return errors.New("want key=value")
	}
	if *e == nil {
		*e = extraFlag{}
	}
	if _, dup := (*e)[k]; dup {
		return fmt.Errorf("%s given twice", k)
	}
	(*e)[k] = v
	return nil
}

var payinCmd = &command{
	name:     "payin",
	synopsis: "--config FILE --order-id ID --amount N [flags]",
	summary:  "create a pay-in (collect money from a customer)",
	example:  "paygate payin --config cashgit.yaml --order-id ORDER_1001 --amount 100.00 --notify-url https://shop.example/cb",
	about:    "The currency defaults to the provider's: PKR for cashy, INR for the others. Amounts are\nexact decimals, never rounded. A pay-in is never re-sent: when its outcome is unknown, query\nthe order before trying again.\n",
	setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
		var (
			of     orderFlags
			ret    string
			cust   paygate.Customer
			direct bool
		)
		of.declare(fs, "100.00", "provider's payment method code (DeekPay channelType, Cashy payType…)")
		fs.StringVar(&ret, "return-url", "", "where the customer returns after paying")
		fs.StringVar(&cust.Name, "name", "", "customer name")
		fs.StringVar(&cust.Email, "email", "", "customer email")
		fs.StringVar(&cust.Phone, "phone", "", "customer phone")
		fs.StringVar(&cust.IP, "ip", "", "customer IP address")
		fs.StringVar(&cust.IDNumber, "id-number", "", "customer identity document number (Cashy: CNIC)")
		fs.StringVar(&cust.IDType, "id-type", "", "customer identity document type")
		fs.BoolVar(&direct, "direct", false, "host-to-host / UPI intent instead of a hosted page")
		return func(ctx context.Context, c *cli, args []string) error {
			return of.run(ctx, c, args, func(ctx context.Context, gw paygate.Gateway, m paygate.Money) (output, error) {
				res, err := gw.PayIn(ctx, &paygate.PayInRequest{
					OrderID: of.orderID, Amount: m, NotifyURL: of.notify, ReturnURL: ret, Remark: of.remark,
					Channel: of.channel, Direct: direct, Extra: of.extra, Customer: cust,
				})
				if err != nil {
					return output{}, err
				}
				return output{payInJSON{res, of.rawOf(res.Raw)}, res.Raw, []line{
					{"order_id", res.OrderID},
					{"provider_order_id", res.ProviderOrderID},
					{"status", status(res.Status, res.RawStatus)},
					{"amount", money(res.Amount)},
					{"payment_url", res.PaymentURL},
					{"upi_url", res.UPIURL},
					{"qr_code", res.QRCode},
					{"pay_code", res.PayCode},
					{"expires_at", timeText(res.ExpiresAt)},
				}}, nil
			})
		}
	},
}

var payoutCmd = &command{
	name:     "payout",
	synopsis: "--config FILE --order-id ID --amount N --name NAME --account NO [flags]",
	summary:  "create a pay-out (send money to a bank account)",
	example:  "paygate payout --config cashgit.yaml --order-id PO_1001 --amount 500 --name 'A Kumar' --account 1234567890 --ifsc HDFC0000001 --phone 9876543210",
	about:    "Which beneficiary fields are required depends on the provider. A pay-out is never re-sent:\nwhen its outcome is unknown, query the order before trying again.\n",
	setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
		var (
			of orderFlags
			b  paygate.Beneficiary
		)
		of.declare(fs, "500.00", "provider's pay-out method code")
		fs.StringVar(&b.Name, "name", "", "beneficiary name")
		fs.StringVar(&b.AccountNumber, "account", "", "beneficiary account number")
		fs.StringVar(&b.IFSC, "ifsc", "", "beneficiary bank's IFSC")
		fs.StringVar(&b.BankCode, "bank-code", "", "beneficiary bank code")
		fs.StringVar(&b.BankName, "bank-name", "", "beneficiary bank name")
		fs.StringVar(&b.AccountType, "account-type", "", "beneficiary account type")
		fs.StringVar(&b.Phone, "phone", "", "beneficiary phone")
		fs.StringVar(&b.Email, "email", "", "beneficiary email")
		return func(ctx context.Context, c *cli, args []string) error {
			return of.run(ctx, c, args, func(ctx context.Context, gw paygate.Gateway, m paygate.Money) (output, error) {
				res, err := gw.PayOut(ctx, &paygate.PayOutRequest{OrderID: of.orderID, Amount: m, Beneficiary: b,
					NotifyURL: of.notify, Remark: of.remark, Channel: of.channel, Extra: of.extra})
				if err != nil {
					return output{}, err
				}
				return output{payOutJSON{res, of.rawOf(res.Raw)}, res.Raw, []line{
					{"order_id", res.OrderID},
					{"provider_order_id", res.ProviderOrderID},
					{"status", status(res.Status, res.RawStatus)},
					{"amount", money(res.Amount)},
					{"fee", money(res.Fee)},
				}}, nil
			})
		}
	},
}

var queryCmd = &command{
	name:     "query",
	synopsis: "--config FILE [--kind payin|payout] (--order-id ID | --provider-order-id ID) [flags]",
	summary:  "ask the provider where an order stands",
	about:    "An order not found as the kind asked for (a pay-in unless --kind says otherwise) is looked\nfor as the other kind, and the command says so on standard error.\n",
	example:  "paygate query --config cashgit.yaml --kind payin --order-id ORDER_1001 --json",
	setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
		var (
			cf   callFlags
			kind string
			req  paygate.QueryRequest
		)
		cf.declare(fs)
		fs.StringVar(&kind, "kind", "", "payin or payout (default: payin); when the order is not found, the other kind is tried")
		fs.StringVar(&req.OrderID, "order-id", "", "merchant order number")
		fs.StringVar(&req.ProviderOrderID, "provider-order-id", "", "the provider's order number")
		return func(ctx context.Context, c *cli, args []string) error {
			switch req.Kind = paygate.Kind(kind); req.Kind {
			case paygate.KindPayIn, paygate.KindPayOut:
			case "":
				req.Kind = paygate.KindPayIn
			default:
				return usagef("--kind must be payin or payout, not %q", kind)
			}
			if req.OrderID == "" && req.ProviderOrderID == "" {
				return usagef("--order-id or --provider-order-id is required")
			}
			return cf.run(ctx, c, args, func(ctx context.Context, gw paygate.Gateway) (output, error) {
				o, err := queryEitherKind(ctx, c, gw, req)
				if err != nil {
					return output{}, err
				}
				return output{orderJSON{o, cf.rawOf(o.Raw)}, o.Raw, []line{
					{"kind", string(o.Kind)},
					{"order_id", o.OrderID},
					{"provider_order_id", o.ProviderOrderID},
					{"status", status(o.Status, o.RawStatus)},
					{"amount", money(o.Amount)},
					{"actual_amount", money(o.ActualAmount)},
					{"fee", money(o.Fee)},
					{"utr", o.UTR},
					{"completed_at", timeText(o.CompletedAt)},
				}}, nil
			})
		}
	},
}

// kindName is "pay-in" or "pay-out".
func kindName(k paygate.Kind) string {
	if k == paygate.KindPayOut {
		return "pay-out"
	}
	return "pay-in"
}

// queryEitherKind queries req; when the provider may have no such order of req.Kind
// (paygate.MayBeNotFound), it tries the other kind and says so on standard error: a pay-out
// queried as a pay-in is found all the same.
func queryEitherKind(ctx context.Context, c *cli, gw paygate.Gateway, req paygate.QueryRequest) (*paygate.Order, error) {
	o, err := gw.Query(ctx, &req)
	if !paygate.MayBeNotFound(err) {
		return o, err
	}
	other := req
	other.Kind = paygate.KindPayOut
	if req.Kind == paygate.KindPayOut {
		other.Kind = paygate.KindPayIn
	}
	o2, err2 := gw.Query(ctx, &other)
	switch {
	case err2 == nil:
		fmt.Fprintf(c.stderr, "paygate query: no %s of that number; found a %s (--kind %s)\n",
			kindName(req.Kind), kindName(other.Kind), other.Kind)
		return o2, nil
	case !errors.Is(err, paygate.ErrOrderNotFound):
		return nil, err // a refusal that may or may not mean "not found": it stands as it is
	case errors.Is(err2, paygate.ErrOrderNotFound):
		// The provider's error first: its "paygate: " is the one the command prints once.
		return nil, fmt.Errorf("%w (order not found, neither as a %s nor as a %s)", err, kindName(req.Kind), kindName(other.Kind))
	case errors.Is(err2, paygate.ErrUnsupported), errors.Is(err2, paygate.ErrInvalidRequest):
		return nil, err // the other kind cannot be asked: the first answer stands
	}
	return nil, fmt.Errorf("%w (no %s of that number; this is asking for a %s)", err2, kindName(req.Kind), kindName(other.Kind))
}

var balanceCmd = &command{
	name:     "balance",
	synopsis: "--config FILE [flags]",
	summary:  "read the merchant's balance",
	example:  "paygate balance --config cashgit.yaml",
	setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
		var cf callFlags
		cf.declare(fs)
		return func(ctx context.Context, c *cli, args []string) error {
			return cf.run(ctx, c, args, func(ctx context.Context, gw paygate.Gateway) (output, error) {
				b, err := gw.Balance(ctx)
				if err != nil {
					return output{}, err
				}
				return output{balanceJSON{b, cf.rawOf(b.Raw)}, b.Raw, []line{
					{"available", money(b.Available)},
					{"frozen", money(b.Frozen)},
					{"pending", money(b.Pending)},
				}}, nil
			})
		}
	},
}

// The results as JSON: the library's structs, whose Raw is shadowed by one omitted unless
// --raw.
type (
	payInJSON struct {
		*paygate.PayInResult
		Raw json.RawMessage `json:",omitempty"`
	}
	payOutJSON struct {
		*paygate.PayOutResult
		Raw json.RawMessage `json:",omitempty"`
	}
	orderJSON struct {
		*paygate.Order
		Raw json.RawMessage `json:",omitempty"`
	}
	balanceJSON struct {
		*paygate.Balance
		Raw json.RawMessage `json:",omitempty"`
	}
)

// rawOf is raw when --raw is set and raw is valid JSON, else nil.
func (f *callFlags) rawOf(raw json.RawMessage) json.RawMessage {
	if !f.raw || !json.Valid(raw) {
		return nil
	}
	return raw
}

// line is one "name: value" line of text output; empty values are not printed.
type line struct{ name, value string }

// output is what a call prints: asJSON with --json, else lines, followed with --raw by the
// provider's response body, raw.
type output struct {
	asJSON any
	raw    json.RawMessage
	lines  []line
}

// print writes out: indented JSON with --json, else readable lines.
func (f *callFlags) print(w io.Writer, out output) error {
	if f.json {
		b, err := json.MarshalIndent(out.asJSON, "", "  ")
		if err != nil {
			return fmt.Errorf("encode result: %w", err)
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	var b strings.Builder
	for _, l := range out.lines {
		if l.value != "" {
			fmt.Fprintf(&b, "%-18s %s\n", l.name+":", l.value)
		}
	}
	if f.raw && len(out.raw) > 0 {
		fmt.Fprintf(&b, "%-18s %s\n", "raw:", out.raw)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func status(s paygate.Status, raw string) string {
	if raw == "" || raw == string(s) {
		return string(s)
	}
	return fmt.Sprintf("%s (provider: %s)", s, raw)
}

// money formats m, or nothing for a zero amount in no currency (a field the provider did not
// report).
func money(m paygate.Money) string {
	if m.IsZero() && m.Currency() == "" {
		return ""
	}
	return m.String()
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}
