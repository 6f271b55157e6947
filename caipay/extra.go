package caipay

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/paygate-go/paygate/internal/check"
)

// UTRResult is CaiPay's acceptance of a UTR submission. CaiPay documents no data for it:
// Raw keeps the answer as it came.
type UTRResult struct {
	ProviderOrderID string // the transId submitted
	UTR             string
	Raw             json.RawMessage
}

// SubmitUTR reports the bank reference of a payment the customer made for pay-in
// platformOrderID (the platOrderNo of PayIn, sent as transId): POST /api/cai/out/v1/submitUtr,
// JSON. CaiPay's API document lists only transId and UTR; token, tenantId and signKey are
// sent too, as with every request. utr must be 12 digits, checked before any I/O. A
// submission cannot move money, so it is retried like a read.
func (c *Client) SubmitUTR(ctx context.Context, platformOrderID, utr string) (result *UTRResult, opErr error) {
	ctx, op := c.Begin(ctx, "submit_utr")
	defer op.End(&opErr)
	if err := check.First(check.Required("platformOrderID", platformOrderID), check.Digits("utr", utr, 12)); err != nil {
		return nil, err
	}
	resp, err := c.do(ctx, call{op: op.Name, method: http.MethodPost, path: PathSubmitUTR, noData: true,
		fields: map[string]string{"transId": platformOrderID, "UTR": utr}}, nil)
	if err != nil {
		return nil, err
	}
	return &UTRResult{ProviderOrderID: platformOrderID, UTR: utr, Raw: resp.Raw()}, nil
}
