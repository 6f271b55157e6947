// Package redisstore keeps paygate's shared state in Redis through
// github.com/redis/go-redis/v9, so that several replicas of a merchant's backend behind a
// load balancer agree on it: which callbacks were handled ([NewDeduper], a
// [webhook.Deduper]), how fast each merchant may call its provider ([NewLimiter], a
// [paygate.Limiter]), and what the tracker and the router keep.
//
// Every store takes a [redis.UniversalClient]: a *redis.Client, a Sentinel failover client
// or a *redis.ClusterClient. Each operation touches one key, so Cluster needs no hash tags.
// Every key starts with a prefix (default "paygate:", see [WithKeyPrefix]); give replicas of
// one backend the same prefix, and unrelated backends sharing a server different ones.
//
// When Redis does not answer, nothing is lost and nothing runs twice: a Deduper's Claim
// fails (the webhook answers 500 and the provider delivers again), a Limiter's Wait fails
// (the gateway sends anyway and logs one Warn line).
package redisstore
