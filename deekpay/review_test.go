package deekpay_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
)

// TestQueryOrderMustNameTheOneAskedFor: an order in the answer that carries neither of the
// numbers asked about (an empty externalOrderId, another or no orderId) is not that order.
func TestQueryOrderMustNameTheOneAskedFor(t *testing.T) {
	for _, order := range []string{
		`{"orderId":"DKC-OTHER","externalOrderId":"","orderType":1,"orderStatus":2,"orderAmount":"1"}`,
		`{"orderId":"","externalOrderId":"","orderType":1,"orderStatus":2,"orderAmount":"1"}`,
		`{"orderType":1,"orderStatus":2,"orderAmount":"1"}`,
	} {
		srv := newServer(t, jsonReply(queryOK(t, order)))
		o, err := newClient(t, srv.URL).Query(context.Background(), &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "X1"})
		require.ErrorIs(t, err, paygate.ErrMalformedResponse, "order %s accepted as X1: %+v", order, o)
	}
	// By provider number, an order without externalOrderId is still recognised by its orderId.
	srv := newServer(t, jsonReply(queryOK(t, `{"orderId":"DKC1","externalOrderId":"","orderType":1,"orderStatus":2,"orderAmount":"1"}`)))
	o, err := newClient(t, srv.URL).Query(context.Background(), &paygate.QueryRequest{Kind: paygate.KindPayIn, ProviderOrderID: "DKC1"})
	require.NoError(t, err)
	require.Equal(t, "DKC1", o.ProviderOrderID)
}

// TestCreateAnsweredForAnotherOrder: a create's success naming another externalOrderId is not
// this order's success; the order may or may not exist, so the outcome is unknown.
func TestCreateAnsweredForAnotherOrder(t *testing.T) {
	payIn := strings.Replace(payInOK, `"externalOrderId":"716134866255702461"`, `"externalOrderId":"SOMEONE-ELSE"`, 1)
	srv := newServer(t, jsonReply(payIn))
	_, err := newClient(t, srv.URL).PayIn(context.Background(), payInRequest())
	require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
	require.ErrorIs(t, err, paygate.ErrMalformedResponse)

	payOut := strings.Replace(payOutOK, `"externalOrderId":"687279463984441035"`, `"externalOrderId":"SOMEONE-ELSE"`, 1)
	srv = newServer(t, jsonReply(payOut))
	_, err = newClient(t, srv.URL).PayOut(context.Background(), payOutRequest())
	require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
	require.ErrorIs(t, err, paygate.ErrMalformedResponse)
}

// TestSuccessEnvelopeOnHTTPError: a success envelope under an HTTP error status (a proxy's or
// a cache's page) is not a success to trust.
func TestSuccessEnvelopeOnHTTPError(t *testing.T) {
	srv := newServer(t, reply{status: http.StatusNotFound, contentType: "application/json", body: balanceOK})
	_, err := newClient(t, srv.URL).Balance(context.Background())
	require.ErrorIs(t, err, paygate.ErrMalformedResponse)

	srv = newServer(t, reply{status: http.StatusBadRequest, contentType: "application/json", body: payInOK})
	_, err = newClient(t, srv.URL).PayIn(context.Background(), payInRequest())
	require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
}
