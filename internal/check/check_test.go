package check

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
)

// requireInvalid checks err is a *paygate.ValidationError naming field.
func requireInvalid(t *testing.T, err error, field string) {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, paygate.ErrInvalidRequest)
	var ve *paygate.ValidationError
	require.True(t, errors.As(err, &ve), "%T is not a *paygate.ValidationError", err)
	require.Equal(t, field, ve.Field)
	require.NotEmpty(t, ve.Reason)
	require.Contains(t, err.Error(), field)
}

func TestAmount(t *testing.T) {
	cashgit := NewLimits("10", "50000")
	tests := []struct {
		name    string
		amount  paygate.Money
		cur     paygate.Currency
		style   paygate.AmountStyle
		limits  Limits
		want    string
		wantErr bool
	}{
		{"fixed2", paygate.MustParseMoney("100", paygate.INR), paygate.INR, paygate.Fixed2, cashgit, "100.00", false},
		{"unset currency taken as cur", paygate.MustParseMoney("40.2", ""), paygate.INR, paygate.Trimmed, Limits{}, "40.2", false},
		{"whole", paygate.MustParseMoney("300.00", paygate.INR), paygate.INR, paygate.Whole, Limits{}, "300", false},
		{"at minimum", paygate.MustParseMoney("10", paygate.INR), paygate.INR, paygate.Fixed2, cashgit, "10.00", false},
		{"at maximum", paygate.MustParseMoney("50000.00", paygate.INR), paygate.INR, paygate.Fixed2, cashgit, "50000.00", false},
		{"no bounds", paygate.MustParseMoney("0.01", paygate.PKR), paygate.PKR, paygate.Fixed2, Limits{}, "0.01", false},
		{"only a minimum", paygate.MustParseMoney("1000000", paygate.PKR), paygate.PKR, paygate.Fixed2, NewLimits("100", ""), "1000000.00", false},

		{"wrong currency", paygate.MustParseMoney("100", paygate.PKR), paygate.INR, paygate.Fixed2, cashgit, "", true},
		{"zero", paygate.MustParseMoney("0", paygate.INR), paygate.INR, paygate.Fixed2, Limits{}, "", true},
		{"zero value", paygate.Money{}, paygate.INR, paygate.Fixed2, Limits{}, "", true},
		{"negative", paygate.MustParseMoney("-5", paygate.INR), paygate.INR, paygate.Fixed2, Limits{}, "", true},
		{"below minimum", paygate.MustParseMoney("9.99", paygate.INR), paygate.INR, paygate.Fixed2, cashgit, "", true},
		{"above maximum", paygate.MustParseMoney("50000.01", paygate.INR), paygate.INR, paygate.Fixed2, cashgit, "", true},
		{"above a maximum only", paygate.MustParseMoney("6", paygate.INR), paygate.INR, paygate.Fixed2, NewLimits("", "5"), "", true},
		{"three places", paygate.MustParseMoney("10.005", paygate.INR), paygate.INR, paygate.Fixed2, cashgit, "", true},
		{"decimals in whole", paygate.MustParseMoney("300.5", paygate.INR), paygate.INR, paygate.Whole, Limits{}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Amount("Amount", tt.amount, tt.cur, tt.style, tt.limits)
			if tt.wantErr {
				requireInvalid(t, err, "Amount")
				require.Empty(t, got)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}

	_, err := Amount("Amount", paygate.MustParseMoney("300.5", paygate.INR), paygate.INR, paygate.Whole, Limits{})
	require.ErrorContains(t, err, "whole amounts only")
	_, err = Amount("Amount", paygate.MustParseMoney("1", paygate.PKR), paygate.INR, paygate.Fixed2, Limits{})
	require.ErrorContains(t, err, "PKR")
}

func TestNewLimits(t *testing.T) {
	l := NewLimits("100.00", "50000.00")
	require.Equal(t, "100", l.Min.String())
	require.Equal(t, "50000", l.Max.String())
	require.True(t, NewLimits("", "").Min.IsZero())
	require.True(t, NewLimits("", "").Max.IsZero())
	require.Panics(t, func() { NewLimits("ten", "") })
}

func TestStringChecks(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		wantErr bool
	}{
		{"Required set", Required("OrderID", "x"), false},
		{"Required empty", Required("OrderID", ""), true},

		{"Length in range", Length("OrderID", "ORDER_20231201001", 6, 32), false},
		{"Length at min", Length("OrderID", "123456", 6, 32), false},
		{"Length at max", Length("OrderID", "12345678901234567890123456789012", 6, 32), false},
		{"Length counts characters", Length("OrderID", "游戏充值游戏", 6, 6), false},
		{"Length too short", Length("OrderID", "12345", 6, 32), true},
		{"Length too long", Length("OrderID", "123456789012345678901234567890123", 6, 32), true},
		{"Length no max", Length("OrderID", "1234567890123456789012345678901234567890", 6, 0), false},
		{"Length no max too short", Length("OrderID", "1", 6, 0), true},

		{"MaxLength ok", MaxLength("OrderID", "abc", 3), false},
		{"MaxLength empty ok", MaxLength("OrderID", "", 3), false},
		{"MaxLength over", MaxLength("OrderID", "abcd", 3), true},

		{"URL https", URL("NotifyURL", "https://merchant.com/notify"), false},
		{"URL http with port", URL("NotifyURL", "http://192.168.1.135:30001"), false},
		{"URL empty", URL("NotifyURL", ""), false},
		{"URL relative", URL("NotifyURL", "/notify"), true},
		{"URL no host", URL("NotifyURL", "https://"), true},
		{"URL ftp", URL("NotifyURL", "ftp://merchant.com/notify"), true},
		{"URL javascript", URL("NotifyURL", "javascript:alert(1)"), true},
		{"URL unparsable", URL("NotifyURL", "http://[::1"), true},
		{"URL bare word", URL("NotifyURL", "1111111111111"), true},

		{"IP v4", IP("Customer.IP", "14.155.28.59"), false},
		{"IP v6", IP("Customer.IP", "2001:db8::1"), false},
		{"IP empty", IP("Customer.IP", ""), true},
		{"IP host name", IP("Customer.IP", "localhost"), true},
		{"IP out of range", IP("Customer.IP", "256.1.1.1"), true},

		{"Digits ok", Digits("Customer.Phone", "8234567890", 10), false},
		{"Digits short", Digits("Customer.Phone", "823456789", 10), true},
		{"Digits letter", Digits("Customer.Phone", "82345678a0", 10), true},
		{"Digits plus", Digits("Customer.Phone", "+823456789", 10), true},
		{"Digits non-ASCII", Digits("Customer.Phone", "٨٢٣٤٥", 10), true},

		{"OneMember plain", OneMember("OrderID", "ORDER_1001"), false},
		{"OneMember ampersand alone", OneMember("OrderID", "TEA&COFFEE"), false},
		{"OneMember equals alone", OneMember("OrderID", "A=B"), false},
		{"OneMember member", OneMember("OrderID", "ORD1&paytime=1700000000000"), true},
		{"OneMember later member", OneMember("OrderID", "A&B&C=D"), true},

		{"IFSC ok", IFSC("Beneficiary.IFSC", "SBIN0001234"), false},
		{"IFSC letters after zero", IFSC("Beneficiary.IFSC", "HDFC0ABC123"), false},
		{"IFSC empty", IFSC("Beneficiary.IFSC", ""), true},
		{"IFSC lower case", IFSC("Beneficiary.IFSC", "sbin0001234"), true},
		{"IFSC no zero", IFSC("Beneficiary.IFSC", "SBIN1001234"), true},
		{"IFSC short", IFSC("Beneficiary.IFSC", "SBIN000123"), true},
		{"IFSC long", IFSC("Beneficiary.IFSC", "SBIN00012345"), true},
		{"IFSC digit in bank code", IFSC("Beneficiary.IFSC", "SB1N0001234"), true},
		{"IFSC symbol", IFSC("Beneficiary.IFSC", "SBIN000123-"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.wantErr {
				require.NoError(t, tt.err)
				return
			}
			var ve *paygate.ValidationError
			require.True(t, errors.As(tt.err, &ve))
			requireInvalid(t, tt.err, ve.Field)
			require.NotEmpty(t, ve.Field)
		})
	}

	// Each names the field it was given.
	requireInvalid(t, Required("Beneficiary.Name", ""), "Beneficiary.Name")
	requireInvalid(t, Length("Remark", "", 1, 2), "Remark")
	requireInvalid(t, URL("ReturnURL", "x"), "ReturnURL")
	requireInvalid(t, IP("Customer.IP", "x"), "Customer.IP")
	requireInvalid(t, Digits("Customer.Phone", "x", 10), "Customer.Phone")
	requireInvalid(t, IFSC("Beneficiary.IFSC", "x"), "Beneficiary.IFSC")
	requireInvalid(t, OneMember("OrderID", "a&b=c"), "OrderID")
}

func TestQuery(t *testing.T) {
	tests := []struct {
		name  string
		req   *paygate.QueryRequest
		field string // "" for no error
	}{
		{"pay-in by order", &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "o1"}, ""},
		{"pay-out by provider order", &paygate.QueryRequest{Kind: paygate.KindPayOut, ProviderOrderID: "p1"}, ""},
		{"both ids", &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "o1", ProviderOrderID: "p1"}, ""},
		{"nil", nil, "QueryRequest"},
		{"no kind", &paygate.QueryRequest{OrderID: "o1"}, "Kind"},
		{"bad kind", &paygate.QueryRequest{Kind: "refund", OrderID: "o1"}, "Kind"},
		{"no id", &paygate.QueryRequest{Kind: paygate.KindPayIn}, "OrderID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Query(tt.req)
			if tt.field == "" {
				require.NoError(t, err)
				return
			}
			requireInvalid(t, err, tt.field)
		})
	}
}

func TestNamed(t *testing.T) {
	err := Named(Required("OrderID", ""), "cashgit", "payin")
	requireInvalid(t, err, "OrderID")
	var ve *paygate.ValidationError
	require.True(t, errors.As(err, &ve))
	require.Equal(t, "cashgit", ve.Provider)
	require.Equal(t, "payin", ve.Op)
	require.Equal(t, "paygate: cashgit payin: invalid request: OrderID: is required", err.Error())

	// Through a wrapper, the ValidationError inside is named (the wrapper's text was fixed
	// when it was made).
	wrapped := Named(fmt.Errorf("wrapped: %w", Required("Amount", "")), "paypro", "payout")
	require.True(t, errors.As(wrapped, &ve))
	require.Equal(t, "paypro", ve.Provider)
	require.Equal(t, "payout", ve.Op)
	require.Equal(t, "paygate: paypro payout: invalid request: Amount: is required", ve.Error())

	require.Same(t, io.EOF, Named(io.EOF, "cashgit", "payin"), "other errors pass unchanged")
	require.NoError(t, Named(nil, "cashgit", "payin"))
}

// TestAll is finding 5's validation part: every problem of a request is reported at once,
// one per field, while errors.As and errors.Is keep working and Field names the first.
func TestAll(t *testing.T) {
	a, b := Required("A", ""), Required("B", "")
	require.NoError(t, All())
	require.NoError(t, All(nil, nil))
	require.Same(t, a, All(nil, a), "a lone problem is returned as it is")

	err := First(nil, a, b) // the provider packages' name for All
	var ve *paygate.ValidationError
	require.True(t, errors.As(fmt.Errorf("wrapped: %w", err), &ve))
	require.ErrorIs(t, err, paygate.ErrInvalidRequest)
	require.Equal(t, "A", ve.Field)
	require.Equal(t, "is required", ve.Reason)
	require.Equal(t, []paygate.FieldProblem{{Field: "A", Reason: "is required"}, {Field: "B", Reason: "is required"}}, ve.Problems)
	require.Equal(t, "paygate: invalid request: A: is required; B: is required", err.Error())

	// One problem per field; nested results are flattened.
	id := All(Required("OrderID", ""), Length("OrderID", "", 6, 32))
	require.Equal(t, id, All(id))
	err = All(id, All(Required("Name", ""), URL("NotifyURL", "ftp://x")), Required("Name", ""))
	require.True(t, errors.As(err, &ve))
	require.Equal(t, []string{"OrderID", "Name", "NotifyURL"}, fields(ve.Problems))
	require.Equal(t, "paygate: cashgit payin: invalid request: OrderID: is required; Name: is required; NotifyURL: must be an absolute http(s) URL",
		Named(err, "cashgit", "payin").Error())

	// An error that is not a validation problem is returned as it is.
	other := errors.New("boom")
	require.Same(t, other, All(a, other, b))
}

func fields(ps []paygate.FieldProblem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Field)
	}
	return out
}

func TestStatus(t *testing.T) {
	table := map[string]paygate.Status{
		"PENDING": paygate.StatusPending,
		"SUCCESS": paygate.StatusSucceeded,
		"FAILED":  paygate.StatusFailed,
	}
	tests := []struct {
		raw  string
		want paygate.Status
	}{
		{"PENDING", paygate.StatusPending},
		{"SUCCESS", paygate.StatusSucceeded},
		{"FAILED", paygate.StatusFailed},
		{"success", paygate.StatusUnknown},
		{"PAID", paygate.StatusUnknown},
		{"", paygate.StatusUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			require.Equal(t, tt.want, Status(table, tt.raw))
		})
	}
	require.Equal(t, paygate.StatusUnknown, Status(nil, "SUCCESS"))
}

func ExampleAmount() {
	limits := NewLimits("10", "50000")
	s, err := Amount("Amount", paygate.MustParseMoney("100", paygate.INR), paygate.INR, paygate.Fixed2, limits)
	fmt.Println(s, err)

	_, err = Amount("Amount", paygate.MustParseMoney("5", paygate.INR), paygate.INR, paygate.Fixed2, limits)
	fmt.Println(errors.Is(err, paygate.ErrInvalidRequest))
	fmt.Println(Named(err, "cashgit", "payin"))
	// Output:
	// 100.00 <nil>
	// true
	// paygate: cashgit payin: invalid request: Amount: 5 is below the minimum of 10 INR
}

func TestExtra(t *testing.T) {
	fields := map[string]string{"amount": "100.00"}
	require.NoError(t, Extra(fields, map[string]string{"channel": "UPI", "empty": ""}, "sign"))
	require.Equal(t, map[string]string{"amount": "100.00", "channel": "UPI"}, fields)

	for _, k := range []string{"amount", "sign"} {
		err := Extra(map[string]string{"amount": "1"}, map[string]string{k: "x"}, "sign")
		var ve *paygate.ValidationError
		require.ErrorAs(t, err, &ve)
		require.Equal(t, "Extra."+k, ve.Field)
	}

	body := map[string]any{"payType": 36}
	require.NoError(t, Extra(body, map[string]string{"idType": "CNIC"}))
	require.Equal(t, "CNIC", body["idType"])
}

func TestQueryByOrderID(t *testing.T) {
	require.NoError(t, QueryByOrderID(&paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "O1"}))
	err := QueryByOrderID(&paygate.QueryRequest{Kind: paygate.KindPayIn, ProviderOrderID: "P1"})
	var ve *paygate.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "OrderID", ve.Field)
	require.ErrorIs(t, QueryByOrderID(nil), paygate.ErrInvalidRequest)
}
