// Package redisstore keeps paygate's shared state in Redis through
// github.com/redis/go-redis/v9, so that several replicas of a merchant's backend behind a
// load balancer agree on it: which callbacks were handled ([NewDeduper], a
// [webhook.Deduper]), how fast each merchant may call its provider ([NewLimiter], a
// [paygate.Limiter]), and what the tracker and the router keep.
//
// Every store takes a [redis.UniversalClient]: a *redis.Client, a Sentinel failover client
// or a *redis.ClusterClient. Each operation touches one key, so Cluster needs no hash tags,
// except TrackerStore's, whose three keys share the hash tag {tracker} (one Cluster slot).
// Every key starts with a prefix (default "paygate:", see [WithKeyPrefix]); give replicas of
// one backend the same prefix, and unrelated backends sharing a server different ones.
//
// A Deduper's claim is a lease with an owner token, renewed every third of the lease while
// it is held (a Lua PEXPIRE while the key still holds the token), from Claim until Done or
// Release: a merchant's function slower than the lease keeps its claim, and no other replica
// runs it concurrently. A renewal that finds the claim gone or another's, or none that
// reaches Redis before the lease ends, loses the claim: the webhook cancels the function's
// context (webhook.ErrClaimLost); a function that then fails is answered 500 and the callback
// is not marked handled (one that returns nil did its work, and is marked).
// [Deduper.Close] stops the renewals, as the process ending would.
//
// When Redis does not answer, nothing is lost and nothing runs twice: a Deduper's Claim
// fails (the webhook answers 500 and the provider delivers again), a Limiter's Wait fails
// (the gateway sends anyway and logs one Warn line). Claim and Wait return the caller's
// context error as soon as the context ends, even while a stalled server has not answered.
// Answers that say the server cannot take a write for now (READONLY, LOADING, TRYAGAIN,
// CLUSTERDOWN, MASTERDOWN, BUSY: a failover) are retried by Done and Release like a lost
// connection, for WithWriteRetry.
package redisstore
