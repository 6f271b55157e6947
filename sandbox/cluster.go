package sandbox

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/fakeserver"
)

// Cluster runs a fake of every provider at once, each on its own loopback port, with one
// Dashboard over them all: what `paygate sandbox` runs, and a one-liner for a test that
// exercises several providers.
type Cluster struct {
	servers []*Server
	dash    *Dashboard
}

// NewCluster starts a fake of every provider in Providers. A provider's merchant credentials
// are the ones cfgs holds for it (by Config.Provider); any other gets merchant id M10001 and a
// generated secret (and API key, where the provider uses one). opts apply to every server;
// WithAddr would put them all on one address, so leave it out.
func NewCluster(cfgs []paygate.Config, opts ...Option) (*Cluster, error) {
	given := map[string]paygate.Config{}
	for _, c := range cfgs {
		if _, ok := fakeserver.Lookup(c.Provider); !ok {
			return nil, fmt.Errorf("sandbox: unknown provider %q (known: %v)", c.Provider, Providers())
		}
		given[c.Provider] = c
	}
	c := &Cluster{}
	for _, p := range Providers() {
		cfg, ok := given[p]
		if !ok {
			cfg = paygate.Config{Provider: p, MerchantID: "M10001", Secret: randomHex(16)}
			if UsesAPIKey(p) {
				cfg.APIKey = randomHex(8)
			}
		}
		s, err := New(p, cfg, opts...)
		if err != nil {
			c.Close()
			return nil, err
		}
		c.servers = append(c.servers, s)
	}
	c.dash = NewDashboard(c.servers...)
	return c, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// Servers returns the running fakes, in the order of Providers.
func (c *Cluster) Servers() []*Server { return c.servers }

// Server returns the fake of provider, nil when there is none.
func (c *Cluster) Server(provider string) *Server {
	for _, s := range c.servers {
		if s.Provider() == provider {
			return s
		}
	}
	return nil
}

// Config returns the config a client of provider needs (BaseURL set), the zero Config when the
// cluster has no such provider.
func (c *Cluster) Config(provider string) paygate.Config {
	if s := c.Server(provider); s != nil {
		return s.Config()
	}
	return paygate.Config{}
}

// Dashboard is the dashboard over every fake of the cluster; serve it on an admin address.
func (c *Cluster) Dashboard() *Dashboard { return c.dash }

// String describes the cluster without any merchant's credentials: each provider's URL.
func (c *Cluster) String() string {
	var b strings.Builder
	b.WriteString("sandbox.Cluster{")
	for i, s := range c.servers {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(s.Provider() + ": " + s.URL())
	}
	b.WriteString("}")
	return b.String()
}

// Format prints the cluster as String does, under every verb.
func (c *Cluster) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// GoString is String.
func (c *Cluster) GoString() string { return c.String() }

// Close stops every fake.
func (c *Cluster) Close() {
	for _, s := range c.servers {
		s.Close()
	}
}
