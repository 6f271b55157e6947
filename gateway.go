package paygate

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// Gateway is the contract every provider fulfils. Implementations are safe for concurrent
// use by many goroutines.
type Gateway interface {
	// Name is the provider's registered name: "caipay", "deekpay", "paypro", "cashgit" or "cashy".
	Name() string
	// Capabilities tells which operations the provider offers; the others return ErrUnsupported.
	Capabilities() Capabilities
	// PayIn creates a collection order. It is never re-sent: an uncertain outcome is
	// ErrOutcomeUnknown, and the caller must Query before trying again.
	PayIn(ctx context.Context, req *PayInRequest) (*PayInResult, error)
	// PayOut creates a disbursement order. It is never re-sent: an uncertain outcome is
	// ErrOutcomeUnknown, and the caller must Query before trying again.
	PayOut(ctx context.Context, req *PayOutRequest) (*PayOutResult, error)
	// Query asks the provider where an order stands. It may be retried safely.
	Query(ctx context.Context, req *QueryRequest) (*Order, error)
	// Balance reads the merchant's balance. It may be retried safely.
	Balance(ctx context.Context) (*Balance, error)
	// ParseCallback verifies a callback's signature and then normalizes it. A callback that
	// does not verify is ErrInvalidSignature and nothing else in it is trusted.
	ParseCallback(header http.Header, body []byte) (*Callback, error)
}

// Capabilities lists the operations a provider offers.
type Capabilities struct {
	PayIn       bool // hosted pay-in (cashier or pay desk)
	PayInDirect bool // host-to-host or UPI-intent pay-in (PayInRequest.Direct)
	PayOut      bool
	QueryPayIn  bool
	QueryPayOut bool
	Balance     bool
	Callbacks   bool
	// Currency is the one currency the provider takes. Code that needs a provider's currency
	// reads it here; it never tests the provider's name.
	Currency Currency
	// AmountStyle is how the provider writes amounts on the wire.
	AmountStyle AmountStyle
}

// Kind tells a pay-in from a pay-out.
type Kind string

// The two kinds of order.
const (
	KindPayIn  Kind = "payin"
	KindPayOut Kind = "payout"
)

// Status is an order's state, normalized across providers. The provider's own value is kept
// beside it as RawStatus.
type Status string

// The normalized statuses. A provider value paygate does not know maps to StatusUnknown, never
// to success.
const (
	StatusPending    Status = "pending"
	StatusProcessing Status = "processing"
	StatusSucceeded  Status = "succeeded"
	StatusFailed     Status = "failed"
	StatusCancelled  Status = "cancelled"
	StatusReversed   Status = "reversed"
	StatusUnknown    Status = "unknown"
)

// Final reports whether the status is terminal: succeeded, failed, cancelled or reversed.
func (s Status) Final() bool {
	switch s {
	case StatusSucceeded, StatusFailed, StatusCancelled, StatusReversed:
		return true
	}
	return false
}

// Customer is the payer of a pay-in. Which fields are required depends on the provider.
type Customer struct {
	Name, Email, Phone, IP, IDNumber, IDType string
}

// PayInRequest asks a provider to collect money from a customer.
type PayInRequest struct {
	OrderID   string // merchant order number, unique per merchant
	Amount    Money
	Customer  Customer
	NotifyURL string // callback address
	ReturnURL string
	Remark    string
	Channel   string // provider's method code: DeekPay channelType, Cashy payType, ...
	Direct    bool   // host-to-host / UPI intent instead of a hosted page
	// ExpiresIn is how long the customer has to pay, where the provider takes one (Cashy's
	// expireTime; zero is its default). The others fix it themselves and ignore this;
	// PayInResult.ExpiresAt says when, where the provider tells.
	ExpiresIn time.Duration
	Extra     map[string]string // provider-specific fields, sent and signed as given
}

// PayInResult is the provider's answer to a pay-in.
type PayInResult struct {
	Provider                 string // the registered name of the provider that took the order
	OrderID, ProviderOrderID string
	Status                   Status
	RawStatus                string
	Amount                   Money
	PaymentURL               string // hosted cashier / pay desk
	UPIURL                   string // upi:// intent (direct flows)
	QRCode                   string
	PayCode                  string // virtual account / payment code
	ExpiresAt                time.Time
	Raw                      json.RawMessage // the provider's response body, untouched
}

// Beneficiary is the receiver of a pay-out.
type Beneficiary struct {
	Name, AccountNumber, IFSC, BankName, BankCode, AccountType, Email, Phone string
}

// PayOutRequest asks a provider to send money to a beneficiary.
type PayOutRequest struct {
	OrderID                    string
	Amount                     Money
	Beneficiary                Beneficiary
	NotifyURL, Remark, Channel string
	Extra                      map[string]string
}

// PayOutResult is the provider's answer to a pay-out.
type PayOutResult struct {
	Provider                 string // the registered name of the provider that took the order
	OrderID, ProviderOrderID string
	Status                   Status
	RawStatus                string
	Amount, Fee              Money
	Raw                      json.RawMessage
}

// QueryRequest names an order to look up. At least one of OrderID and ProviderOrderID is set.
type QueryRequest struct {
	Kind                     Kind
	OrderID, ProviderOrderID string
	// Provider names the provider that holds the order. A single provider's Gateway ignores
	// it; a router sends the query there instead of looking the order up in its index.
	Provider string
}

// Order is where an order stands, as the provider reports it.
type Order struct {
	Provider                  string // the registered name of the provider that answered
	Kind                      Kind
	OrderID, ProviderOrderID  string
	Status                    Status
	RawStatus                 string
	Amount, ActualAmount, Fee Money
	UTR                       string
	CompletedAt               time.Time
	Raw                       json.RawMessage
}

// CallbackAmount is the amount a callback about o carries, by the rule webhook.WithConfirm
// and the tracker follow when they make a callback of a queried order: for a pay-in, what
// was paid (ActualAmount where the provider reports one: a partial payment differs from
// Amount); for a pay-out, Amount, what the pay-out was for (a provider's actual amount of a
// pay-out may be what reached the beneficiary, net of the fee: CashGit's actual_amount).
// It is zero when the provider reported neither.
func (o *Order) CallbackAmount() Money {
	if o.Kind != KindPayOut && !o.ActualAmount.IsZero() {
		return o.ActualAmount
	}
	return o.Amount
}

// Balance is the merchant's balance with the provider.
type Balance struct {
	Available, Frozen, Pending Money
	Raw                        json.RawMessage
}

// Callback is a verified, normalized provider notification.
type Callback struct {
	Kind                     Kind
	OrderID, ProviderOrderID string
	ParentOrderID            string // a supplementary payment's original order (Cashy PATCH)
	Status                   Status
	RawStatus                string
	Amount, Fee              Money
	UTR                      string
	CompletedAt              time.Time
	Raw                      json.RawMessage
	Ack                      Ack // what the provider must be answered once the merchant has stored it
}

// Ack is the HTTP answer a provider expects once a callback has been handled.
type Ack struct {
	StatusCode  int
	ContentType string
	Body        string
}

// Write sends the acknowledgement on w.
func (a Ack) Write(w http.ResponseWriter) {
	if a.ContentType != "" {
		w.Header().Set("Content-Type", a.ContentType)
	}
	code := a.StatusCode
	if code == 0 {
		code = http.StatusOK
	}
	w.WriteHeader(code)
	_, _ = w.Write([]byte(a.Body))
}
