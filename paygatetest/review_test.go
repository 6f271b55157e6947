package paygatetest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/paygatetest"
	"github.com/paygate-go/paygate/sandbox"
)

// wireKeys names, per provider, the keys of a pay-in answer's data that the review's hostile
// provider rewrites. An empty key: the provider's answer has no such field.
type wireKeys struct {
	orderID, providerOrderID, amount string
	flag                             string // the envelope's success flag, if it has one
	refusalCode                      any    // a code the provider documents as a refusal
	refusal                          string // a refusal envelope, its message a %s
	// In a query's answer: the keys naming our order and the provider's (empty: none), and
	// the merchant.
	queryOrderID, queryProviderOrderID, queryMerchant string
}

var reviewKeys = map[string]wireKeys{
	"caipay": {orderID: "customerOrderNo", providerOrderID: "platOrderNo", amount: "orderAmount", flag: "ok",
		refusalCode: 400, refusal: `{"code":401,"msg":%q,"ok":false}`, queryOrderID: "customerOrderNo", queryMerchant: "tenantId"},
	"cashgit": {orderID: "orderid", providerOrderID: "platform_orderid", amount: "amount",
		refusalCode: 400, refusal: `{"code":401,"message":%q}`, queryOrderID: "orderid", queryProviderOrderID: "platform_orderid"},
	"cashy": {orderID: "mchOrderNo", providerOrderID: "orderNo", amount: "amount",
		refusalCode: 500, refusal: `{"code":500,"msg":%q}`, queryOrderID: "mchOrderNo", queryProviderOrderID: "orderNo", queryMerchant: "merchantId"},
	"deekpay": {orderID: "externalOrderId", providerOrderID: "orderId", amount: "amount", flag: "success",
		refusalCode: "400", refusal: `{"code":"401","success":false,"msg":%q}`, queryOrderID: "externalOrderId", queryProviderOrderID: "orderId"},
	"paypro": {providerOrderID: "platFormTradeNo", flag: "success",
		refusalCode: "1001", refusal: `{"code":"1001","success":false,"msg":%q}`, queryOrderID: "tradeNo", queryProviderOrderID: "platFormTradeNo"},
}

// hostile is a provider that answers through the genuine sandbox, then tampers with the
// answer: the review's way of asking "which answers are taken for a success?".
type hostile struct {
	sb      *sandbox.Server
	srv     *httptest.Server
	forward atomic.Int64 // requests that reached the sandbox
	// tamper rewrites the sandbox's answer; it may replace the status code.
	tamper func(status int, env map[string]any) (int, map[string]any)
	// rewrite, when set, rewrites the sandbox's answer as bytes (what a map cannot hold).
	rewrite func(body []byte) []byte
	// answer, when set, answers instead of the sandbox.
	answer func(w http.ResponseWriter, r *http.Request)
}

func newHostile(t *testing.T, provider string) (*hostile, paygate.Gateway) {
	t.Helper()
	cfg := testConfig(provider)
	sb, err := sandbox.New(provider, cfg)
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	h := &hostile{sb: sb}
	target, err := url.Parse(sb.URL())
	require.NoError(t, err)
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ModifyResponse = func(resp *http.Response) error {
		if h.tamper == nil && h.rewrite == nil {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			return err
		}
		if h.rewrite != nil {
			out := h.rewrite(body)
			resp.Body = io.NopCloser(bytes.NewReader(out))
			resp.ContentLength = int64(len(out))
			resp.Header.Set("Content-Length", strconv.Itoa(len(out)))
			return nil
		}
		var env map[string]any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&env); err != nil {
			return err
		}
		status, env := h.tamper(resp.StatusCode, env)
		out, err := json.Marshal(env)
		if err != nil {
			return err
		}
		resp.StatusCode, resp.Status = status, strconv.Itoa(status)+" "+http.StatusText(status)
		resp.Body = io.NopCloser(bytes.NewReader(out))
		resp.ContentLength = int64(len(out))
		resp.Header.Set("Content-Length", strconv.Itoa(len(out)))
		return nil
	}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h.answer != nil {
			h.answer(w, r)
			return
		}
		h.forward.Add(1)
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(h.srv.Close)
	gw := newGateway(t, provider, h.srv.URL, 5*time.Second)
	t.Cleanup(func() { closeIdle(gw) })
	return h, gw
}

// orders returns the orders in the envelope's data: the object, or each object of an array.
func orders(env map[string]any) []map[string]any {
	switch d := env["data"].(type) {
	case map[string]any:
		return []map[string]any{d}
	case []any:
		var out []map[string]any
		for _, e := range d {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

// data returns the envelope's data object.
func data(env map[string]any) map[string]any {
	d, _ := env["data"].(map[string]any)
	return d
}

func payIn(ctx context.Context, gw paygate.Gateway, provider, orderID string) (*paygate.PayInResult, error) {
	fx := paygatetest.Fixtures(gw.Capabilities().Currency)
	req := fx.PayIn()
	req.OrderID, req.Amount, req.NotifyURL = orderID, paygate.MustParseMoney(fx.Amount, fx.Currency), "https://merchant.example/cb"
	return gw.PayIn(ctx, req)
}

// TestReviewResponses: the independent review's findings about provider answers, for every
// provider. Each answer that does not say plainly "created" is ErrOutcomeUnknown on a create,
// whichever provider sent it.
func TestReviewResponses(t *testing.T) {
	ctx := context.Background()
	for _, provider := range sandbox.Providers() {
		keys := reviewKeys[provider]
		t.Run(provider, func(t *testing.T) {
			t.Run("success envelope under HTTP 403 is never a success", func(t *testing.T) {
				for _, code := range []int{http.StatusForbidden, http.StatusNotFound} {
					h, gw := newHostile(t, provider)
					h.tamper = func(_ int, env map[string]any) (int, map[string]any) { return code, env }
					_, err := payIn(ctx, gw, provider, paygatetest.OrderID("R"))
					require.ErrorIs(t, err, paygate.ErrOutcomeUnknown, "HTTP %d: %v", code, err)
					h.tamper = nil
					id := paygatetest.OrderID("R")
					_, err = payIn(ctx, gw, provider, id)
					require.NoError(t, err)
					h.tamper = func(_ int, env map[string]any) (int, map[string]any) { return code, env }
					o, err := gw.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: id})
					require.Error(t, err, "a query answered with a success envelope under HTTP %d", code)
					require.Nil(t, o)
				}
			})
			t.Run("a success envelope under HTTP 101 is never a success", func(t *testing.T) {
				h, gw := newHostile(t, provider)
				sandboxURL, err := url.Parse(h.sb.URL())
				require.NoError(t, err)
				genuine := httputil.NewSingleHostReverseProxy(sandboxURL)
				// The sandbox's own answer, its status made 101 Switching Protocols with
				// Connection: Upgrade (net/http hands such a body over as the connection).
				h.answer = func(w http.ResponseWriter, r *http.Request) {
					rec := httptest.NewRecorder()
					genuine.ServeHTTP(rec, r)
					conn, buf, err := w.(http.Hijacker).Hijack()
					if err != nil {
						return
					}
					defer conn.Close()
					_, _ = buf.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: json\r\nContent-Type: application/json\r\n\r\n")
					_, _ = buf.Write(rec.Body.Bytes())
					_ = buf.Flush()
				}
				_, err = payIn(ctx, gw, provider, paygatetest.OrderID("R"))
				require.ErrorIs(t, err, paygate.ErrOutcomeUnknown, "%v", err)
				o, err := gw.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "R12345678"})
				require.ErrorIs(t, err, paygate.ErrMalformedResponse, "%v", err)
				require.Nil(t, o)
			})
			t.Run("a redirect is not followed", func(t *testing.T) {
				var stolen atomic.Int64
				elsewhere := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { stolen.Add(1) }))
				defer elsewhere.Close()
				h, gw := newHostile(t, provider)
				h.answer = func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, elsewhere.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
				}
				_, err := payIn(ctx, gw, provider, paygatetest.OrderID("R"))
				require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
				require.Contains(t, err.Error(), "redirect")
				require.Zero(t, stolen.Load(), "the signed create never reached the redirect target")
			})
			t.Run("an answer for another amount", func(t *testing.T) {
				if keys.amount == "" {
					t.Skipf("%s's pay-in answer names no amount", provider)
				}
				h, gw := newHostile(t, provider)
				h.tamper = func(status int, env map[string]any) (int, map[string]any) {
					data(env)[keys.amount] = "1.00"
					return status, env
				}
				_, err := payIn(ctx, gw, provider, paygatetest.OrderID("R"))
				require.ErrorIs(t, err, paygate.ErrOutcomeUnknown, "%v", err)
			})
			t.Run("an answer for another order", func(t *testing.T) {
				if keys.orderID == "" {
					t.Skipf("%s's pay-in answer names no merchant order number", provider)
				}
				h, gw := newHostile(t, provider)
				h.tamper = func(status int, env map[string]any) (int, map[string]any) {
					data(env)[keys.orderID] = "SOMEONE_ELSES_ORDER"
					return status, env
				}
				_, err := payIn(ctx, gw, provider, paygatetest.OrderID("R"))
				require.ErrorIs(t, err, paygate.ErrOutcomeUnknown, "%v", err)
			})
			t.Run("a success without the provider's order number", func(t *testing.T) {
				h, gw := newHostile(t, provider)
				h.tamper = func(status int, env map[string]any) (int, map[string]any) {
					delete(data(env), keys.providerOrderID)
					return status, env
				}
				_, err := payIn(ctx, gw, provider, paygatetest.OrderID("R"))
				require.ErrorIs(t, err, paygate.ErrOutcomeUnknown, "%v", err)
			})
			t.Run("a success without the amount reports the requested amount", func(t *testing.T) {
				if keys.amount == "" {
					t.Skipf("%s's pay-in answer names no amount", provider)
				}
				h, gw := newHostile(t, provider)
				h.tamper = func(status int, env map[string]any) (int, map[string]any) {
					delete(data(env), keys.amount)
					return status, env
				}
				res, err := payIn(ctx, gw, provider, paygatetest.OrderID("R"))
				require.NoError(t, err)
				fx := paygatetest.Fixtures(gw.Capabilities().Currency)
				require.True(t, res.Amount.Equal(paygate.MustParseMoney(fx.Amount, fx.Currency)), "got %s", res.Amount)
			})
			t.Run("a contradictory envelope on a create is outcome-unknown", func(t *testing.T) {
				if keys.flag == "" {
					t.Skipf("%s's envelope has no success flag", provider)
				}
				h, gw := newHostile(t, provider)
				h.tamper = func(status int, env map[string]any) (int, map[string]any) {
					env[keys.flag] = false
					return status, env
				}
				_, err := payIn(ctx, gw, provider, paygatetest.OrderID("R"))
				require.ErrorIs(t, err, paygate.ErrOutcomeUnknown, "%v", err)
			})
			t.Run("a true success flag under a refusal code on a create is outcome-unknown", func(t *testing.T) {
				if keys.flag == "" {
					t.Skipf("%s's envelope has no success flag", provider)
				}
				h, gw := newHostile(t, provider)
				h.tamper = func(status int, env map[string]any) (int, map[string]any) {
					env["code"], env[keys.flag] = keys.refusalCode, true
					return status, env
				}
				_, err := payIn(ctx, gw, provider, paygatetest.OrderID("R"))
				require.ErrorIs(t, err, paygate.ErrOutcomeUnknown, "%v", err)
			})
			t.Run("an envelope naming its code twice on a create is outcome-unknown", func(t *testing.T) {
				refusal, err := json.Marshal(keys.refusalCode)
				require.NoError(t, err)
				for _, key := range []string{"code", "Code", `\u0063ode`} {
					h, gw := newHostile(t, provider)
					// The refusal first, the sandbox's success after it: encoding/json keeps the last.
					h.rewrite = func(body []byte) []byte {
						return bytes.Replace(body, []byte("{"), []byte(`{"`+key+`":`+string(refusal)+`,`), 1)
					}
					_, err := payIn(ctx, gw, provider, paygatetest.OrderID("R"))
					require.ErrorIs(t, err, paygate.ErrOutcomeUnknown, "%s: %v", key, err)
				}
			})
			t.Run("a proxy page echoing the request quotes no credential", func(t *testing.T) {
				h, gw := newHostile(t, provider)
				var signatures []string
				h.answer = func(w http.ResponseWriter, r *http.Request) {
					body, _ := io.ReadAll(r.Body)
					signatures = append(signatures, signaturesIn(r, body)...)
					w.Header().Set("Content-Type", "text/html")
					w.WriteHeader(http.StatusBadRequest)
					_, _ = fmt.Fprintf(w, "<html><body><h1>400 Bad Request</h1><pre>%s %s\n%v\n%s</pre></body></html>",
						r.Method, r.URL.RequestURI(), r.Header, body)
				}
				cfg := testConfig(provider)
				for _, call := range []func() error{
					func() error { _, err := payIn(ctx, gw, provider, paygatetest.OrderID("R")); return err },
					func() error {
						_, err := gw.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "R12345678"})
						return err
					},
				} {
					err := call()
					require.Error(t, err)
					var pe *paygate.ProviderError
					if errors.As(err, &pe) {
						require.NotContains(t, string(pe.Raw), cfg.Secret)
					}
					for _, secret := range append([]string{cfg.Secret, cfg.APIKey}, signatures...) {
						require.NotContains(t, err.Error(), secret)
					}
				}
				require.NotEmpty(t, signatures)
			})
			// A query's answer must be about the order asked for: the tracker and
			// webhook confirmation rely on it.
			queryTampered := func(t *testing.T, edit func(o map[string]any)) error {
				h, gw := newHostile(t, provider)
				id := paygatetest.OrderID("R")
				_, err := payIn(ctx, gw, provider, id)
				require.NoError(t, err)
				h.tamper = func(status int, env map[string]any) (int, map[string]any) {
					for _, o := range orders(env) {
						edit(o)
					}
					return status, env
				}
				o, err := gw.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: id})
				require.Nil(t, o)
				return err
			}
			t.Run("a query answer naming no order is malformed", func(t *testing.T) {
				err := queryTampered(t, func(o map[string]any) {
					delete(o, keys.queryOrderID)
					delete(o, keys.queryProviderOrderID)
				})
				require.ErrorIs(t, err, paygate.ErrMalformedResponse)
			})
			t.Run("a query answer naming only another provider order is malformed", func(t *testing.T) {
				if keys.queryProviderOrderID == "" {
					t.Skipf("%s's query answer names no provider order number", provider)
				}
				err := queryTampered(t, func(o map[string]any) {
					delete(o, keys.queryOrderID)
					o[keys.queryProviderOrderID] = "SOMEONE_ELSES"
				})
				require.ErrorIs(t, err, paygate.ErrMalformedResponse)
			})
			t.Run("a query answer for another merchant is malformed", func(t *testing.T) {
				if keys.queryMerchant == "" {
					t.Skipf("%s's query answer names no merchant", provider)
				}
				err := queryTampered(t, func(o map[string]any) { o[keys.queryMerchant] = "9999999" })
				require.ErrorIs(t, err, paygate.ErrMalformedResponse)
			})
			t.Run("an error echoing the request's signature does not carry it", func(t *testing.T) {
				// The answer echoes every signature sent so far, first thing: a refusal
				// ("sign mismatch: got …") and a proxy page, on every attempt of a read
				// that is retried (DeekPay signs each attempt afresh).
				for _, page := range []bool{false, true} {
					h, gw := newHostile(t, provider)
					var mu sync.Mutex
					var signatures []string
					h.answer = func(w http.ResponseWriter, r *http.Request) {
						body, _ := io.ReadAll(r.Body)
						mu.Lock()
						signatures = append(signatures, signaturesIn(r, body)...)
						echo := strings.Join(signatures, " ")
						mu.Unlock()
						if page {
							w.Header().Set("Content-Type", "text/html")
							w.WriteHeader(http.StatusBadGateway)
							_, _ = fmt.Fprintf(w, "<pre>sign: %s</pre>", echo)
							return
						}
						w.Header().Set("Content-Type", "application/json")
						_, _ = fmt.Fprintf(w, keys.refusal, "sign mismatch: got "+echo)
					}
					calls := []func() error{
						func() error { _, err := payIn(ctx, gw, provider, paygatetest.OrderID("R")); return err },
						func() error {
							_, err := gw.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "R12345678"})
							return err
						},
					}
					if gw.Capabilities().Balance {
						calls = append(calls, func() error { _, err := gw.Balance(ctx); return err })
					}
					for _, call := range calls {
						mu.Lock()
						signatures = nil // this request's own, on each of its attempts
						mu.Unlock()
						err := call()
						require.Error(t, err)
						mu.Lock()
						require.NotEmpty(t, signatures)
						for _, sig := range signatures {
							require.NotContains(t, err.Error(), sig, "page %v", page)
							var pe *paygate.ProviderError
							if errors.As(err, &pe) {
								require.NotContains(t, string(pe.Raw), sig)
							}
						}
						mu.Unlock()
					}
				}
			})
		})
	}
}

// signaturesIn collects the signature values a request carries, wherever the provider puts
// them: a header, the query or the JSON body.
func signaturesIn(r *http.Request, body []byte) []string {
	var out []string
	names := []string{"sign", "signKey", "Sign"}
	for _, n := range names {
		if v := r.Header.Get(n); v != "" {
			out = append(out, v)
		}
		if v := r.URL.Query().Get(n); v != "" {
			out = append(out, v)
		}
	}
	var m map[string]any
	if json.Unmarshal(body, &m) == nil {
		for _, n := range names {
			if v, ok := m[n].(string); ok && v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// TestReviewPayProUnknownCode: PayPro's 00032 (UNKNOWN_ERROR) in the envelope of a create is
// not a definite refusal.
func TestReviewPayProUnknownCode(t *testing.T) {
	h, gw := newHostile(t, "paypro")
	h.tamper = func(status int, env map[string]any) (int, map[string]any) {
		env["code"], env["msg"], env["success"] = "00032", "UNKNOWN_ERROR", false
		return status, env
	}
	_, err := payIn(context.Background(), gw, "paypro", paygatetest.OrderID("R"))
	require.ErrorIs(t, err, paygate.ErrOutcomeUnknown, "%v", err)
	_ = strings.TrimSpace
}

// TestQueryHoldsBothNumbers: a query giving both the merchant's and the provider's order
// number is answered for that order or not at all, by every provider. Where the provider
// looks orders up by the merchant's number only (CaiPay, CashGit, PayPro), an answer carrying
// another provider number is not taken for the order asked about: the caller's two numbers
// name two orders. CaiPay's answer carries no provider number, so nothing tells; the order it
// returns claims none.
func TestQueryHoldsBothNumbers(t *testing.T) {
	for _, provider := range sandbox.Providers() {
		t.Run(provider, func(t *testing.T) {
			sb, err := sandbox.New(provider, testConfig(provider))
			require.NoError(t, err)
			t.Cleanup(sb.Close)
			gw := newGateway(t, provider, sb.URL(), 5*time.Second)
			a, err := payIn(t.Context(), gw, provider, paygatetest.OrderID("QA"))
			require.NoError(t, err)
			b, err := payIn(t.Context(), gw, provider, paygatetest.OrderID("QB"))
			require.NoError(t, err)

			o, err := gw.Query(t.Context(), &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: a.OrderID, ProviderOrderID: a.ProviderOrderID})
			require.NoError(t, err, "both numbers of one order")
			require.Equal(t, a.OrderID, o.OrderID)

			o, err = gw.Query(t.Context(), &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: a.OrderID, ProviderOrderID: b.ProviderOrderID})
			if err == nil {
				require.Empty(t, o.ProviderOrderID, "the numbers of two orders, answered as one: %+v", o)
				return
			}
			require.Nil(t, o) // not found (Cashy, DeekPay look orders up by both) or malformed
		})
	}
}
