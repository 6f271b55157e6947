package deekpay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/paygate-go/paygate/internal/check"
	"github.com/paygate-go/paygate/internal/engine"
	"github.com/paygate-go/paygate/internal/wire"
)

// pong is /ping's answer.
type pong struct {
	Version   wire.Text `json:"version"`
	Timestamp wire.Text `json:"timestamp"`
}

// Ping checks that DeekPay answers (GET /ping) and returns the API version it reports.
// DeekPay lists version and timestamp as the "Response Data", as it does for every other
// endpoint's envelope data, so the enveloped form {"code":"200",…,"data":{"version":…}} is
// expected; a bare {"version":…,"timestamp":…} is accepted too. The request is signed like
// any other, although the document counts basic-information interfaces as public.
func (c *Client) Ping(ctx context.Context) (version string, err error) {
	ctx, op := c.Begin(ctx, "ping")
	defer op.End(&err)
	resp, err := c.do(ctx, call{op: "ping", method: http.MethodGet, path: PathPing, envelope: readPong}, nil)
	if err != nil {
		return "", err
	}
	var p pong
	if err := json.Unmarshal(resp.Data(), &p); err != nil {
		return "", resp.Malformed(fmt.Errorf("data: %w", err))
	}
	if p.Version == "" {
		return "", resp.Malformed(errors.New("data lacks version"))
	}
	return string(p.Version), nil
}

// readPong reads /ping's answer: the envelope, or the bare {"version":…,"timestamp":…}.
func readPong(body []byte, data any) (engine.Envelope, error) {
	var probe struct {
		envelope
		pong
	}
	probe.Data = data
	if err := json.Unmarshal(body, &probe); err != nil {
		return engine.Envelope{}, err
	}
	if probe.Version != "" && probe.Code == "" { // the bare form: the body is the data
		return engine.Envelope{Code: "200"}, json.Unmarshal(body, data)
	}
	return probe.read(), nil
}

// Bank is one bank DeekPay pays out to (POST /api/v3/ind/query/bank).
type Bank struct {
	BankName      string    `json:"bankName"`
	BankCode      string    `json:"bankCode"`
	CurrencyType  string    `json:"currencyType"`
	ChannelBankID wire.Text `json:"channelBankId"`
	ChannelID     wire.Text `json:"channelId"`
}

// Banks lists the banks whose name matches name (POST /api/v3/ind/query/bank); "" lists them
// all, as DeekPay prescribes (the empty bankName is sent, and not signed).
func (c *Client) Banks(ctx context.Context, name string) (result []Bank, opErr error) {
	ctx, op := c.Begin(ctx, "banks")
	defer op.End(&opErr)
	if err := check.MaxLength("name", name, 128); err != nil {
		return nil, err
	}
	resp, err := c.do(ctx, call{op: op.Name, method: http.MethodPost, path: PathBanks, noData: true,
		fields: map[string]string{"bankName": strings.TrimSpace(name)}}, nil)
	if err != nil {
		return nil, err
	}
	banks, err := oneOrMany[Bank](resp)
	if err != nil {
		return nil, err
	}
	if banks == nil {
		banks = []Bank{} // no bank matches
	}
	return banks, nil
}
