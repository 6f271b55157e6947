// Package tracker is paygate's status sync: it polls the orders whose final status has not
// arrived — a callback lost on the way, a create that ended in paygate.ErrOutcomeUnknown —
// and hands each change to the merchant's function, the same one webhook.NewMux calls.
// A callback is a hint; the provider's answer to a query is the truth.
//
//	tr := tracker.New(gws, store, handle, tracker.WithDeduper(d))
//	mux := webhook.NewMux(handle, gws, webhook.WithDeduper(d), webhook.WithFinal(tr.Final))
//	go tr.Run(ctx)
//	...
//	res, err := gw.PayOut(ctx, req)
//	switch {
//	case err == nil:
//		err = tr.Track(ctx, gw.Name(), paygate.KindPayOut, req.OrderID, tracker.WithStatus(res.Status, res.RawStatus))
//	case errors.Is(err, paygate.ErrOutcomeUnknown):
//		err = tr.Track(ctx, gw.Name(), paygate.KindPayOut, req.OrderID, tracker.OutcomeUnknown())
//	}
//
// # What the function sees
//
// A status found by polling reaches the function as a *paygate.Callback built from the
// queried paygate.Order: Kind, OrderID, ProviderOrderID, Status, RawStatus, Amount
// (Order.CallbackAmount: for a pay-in the actual amount where the provider reports one, for a
// pay-out its amount, as its callback states it), Fee, UTR, CompletedAt, and Raw, the query's
// response body. Its Ack is zero — a provider's verified callback never has a zero Ack — and
// EventFrom(ctx) tells the call came from the tracker, and why. Through a shared Deduper
// (WithDeduper, the webhook's) under webhook.GatewayKey (provider, merchant account, kind,
// status, order number; over a router, the provider that answered), each (order, status) is
// handed to the function once, whichever of the callback and the poll brings it first. An
// error from the function has the same status handed again at a later poll, before any newer
// one: statuses reach the function in the order they were found, none skipped. Should a later
// poll find a newer status (reversed after succeeded), the one the function failed on is
// handed first, with its own Status and RawStatus and the rest of the fields (Raw included)
// from that poll's answer, and the newer one follows in the same poll once it is taken; while
// it keeps failing, the newer one waits. An order tracked without WithStatus has the first
// status found handed over, pending included: for an OutcomeUnknown create, that is the news
// that it landed.
//
// Two more events close a tracking without a status from the provider:
//
//   - StatusNotCreated: a create tracked with OutcomeUnknown that the provider still did not
//     know a whole Schedule.Window after it was sent. Never earlier: until then "not found"
//     is only "not yet". It is not paygate.StatusFailed, and Final reports false for it.
//   - paygate.StatusUnknown with RawStatus RawGaveUp: no final status by the end of the
//     Schedule.Horizon. Never an automatic failure: the order's fate is for a person to find.
//
// Both carry a Raw of {"source":"tracker","outcome":...,"reason":...}; EventFrom gives the
// reason too. They are made by the tracker, so they are deduplicated per tracking episode, not
// per (order, status): Track on an order that is not tracked starts a new episode (its
// Item.Episode), and each episode's event reaches the function once. An order sent again after
// StatusNotCreated and tracked again gets a StatusNotCreated (or a gave-up event) of its own,
// even when Track is called from inside the function handling the closing event: that Track
// is stored once the closed episode is removed.
// The statuses found by a query keep webhook.GatewayKey, which the webhook shares. A gateway
// given to the tracker in a wrapper of your own must forward MerchantID (as the providers'
// clients, their ForKind gateways and the router's Gateways have it), or the tracker and the
// webhook key one status two ways and the function may see it twice.
//
// # Rules
//
//   - A status never moves backwards: pending, then processing, then a final status;
//     succeeded never becomes failed (only reversed may follow succeeded). An answer that
//     goes back is logged at Warn, reported to the observer as "regression", and not
//     applied; polling goes on.
//   - A query error, or "not found" for an order the provider has shown or whose create
//     was answered, is tried again at the next poll, never reported as a status.
//   - A final status handed to the function ends the tracking, as does a verified final
//     callback through webhook.WithFinal(tr.Final), or Forget.
//   - The rule is the tracker's: a poll whose query saw an earlier status just before a
//     final callback reached the webhook may still hand that earlier status after it (the
//     two paths share no lock, as a provider's own callbacks may arrive out of order).
//     Keep the function's record of an order from moving backwards, as for callbacks.
//   - "Not found" must be told apart from other refusals for StatusNotCreated: CaiPay and
//     PayPro document no such code, so their OutcomeUnknown creates that never landed end
//     with the gave-up event at the Horizon, not StatusNotCreated.
//
// # Over a router
//
// An order created through a router is tracked under the router's name and queried through
// it. The provider that answers (Order.Provider, or the one provider named by its refusal;
// none when the router searched them all) is the one the function and the Deduper are told,
// as the webhook tells them, and its Schedule applies (its Window for StatusNotCreated).
// Final and Forget with a provider's name also end the tracking of an order held under a
// router given to the tracker, when the router's index (router.Router.Holder) places the
// order at that provider or nowhere.
//
// # Schedule
//
// Per provider (WithProviderSchedule, else WithSchedule, else the defaults): the first query
// a minute after Track, then doubling intervals up to every 30 minutes, for 72 hours — long
// after every provider's own callback retries have run out — with up to 10% jitter.
// Queries go through the Gateway, so its Limiter (paygate.WithLimiter) paces them.
//
// # Replicas
//
// Every replica runs Run on one shared Store (redisstore, pgstore); a claimed order is
// leased to one replica, so each due order is queried by one replica at a time, and the
// orders of a replica that died go to the others when their lease ends. When the store
// fails, nothing is lost: a failed claim is retried after the interval, and an order whose
// new schedule could not be written is polled again when its lease ends (the Deduper keeps
// that from reaching the function twice). An order a shared store cannot read back (a
// corrupt or foreign record) does not stop the others: the store returns the readable ones
// and parks it, logged once at Error, kept but never due again, for a person to fix or
// Forget (see redisstore.TrackerStore, pgstore.TrackerStore).
package tracker
