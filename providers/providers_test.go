package providers_test

import (
	"fmt"
	"go/parser"
	"go/token"
	"path"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	_ "github.com/paygate-go/paygate/providers"
	"github.com/paygate-go/paygate/signing"
)

// known are the five providers paygate puts behind one interface.
var known = []string{"caipay", "cashgit", "cashy", "deekpay", "paypro"}

// imported returns the provider packages providers.go blank-imports, by their last path
// element, which is also the name each registers under.
func imported(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "providers.go", nil, parser.ImportsOnly)
	require.NoError(t, err)
	var names []string
	for _, spec := range f.Imports {
		p, err := strconv.Unquote(spec.Path.Value)
		require.NoError(t, err)
		require.NotNil(t, spec.Name, "%s: providers.go only blank-imports provider packages", p)
		require.Equal(t, "_", spec.Name.Name, "%s: providers.go only blank-imports provider packages", p)
		require.Equal(t, "github.com/paygate-go/paygate/"+path.Base(p), p, "a provider package sits at the module root")
		names = append(names, path.Base(p))
	}
	return names
}

func TestEveryImportedProviderIsRegistered(t *testing.T) {
	names := imported(t)
	require.Equal(t, known, names, "providers.go imports every provider, in name order")
	registered := paygate.Providers()
	for _, name := range names {
		require.Contains(t, known, name, "providers.go imports an unknown provider package")
		require.Contains(t, registered, name, "importing %s must register it as %q", name, name)
	}
}

func TestRegisteredProvidersAreKnown(t *testing.T) {
	for _, name := range paygate.Providers() {
		require.Contains(t, known, name)
	}
}

// TestEveryProviderDescribesItsSigning: each provider registers how it signs, for the
// sign and verify commands: a default scheme that signs fields or the body, with its formula.
func TestEveryProviderDescribesItsSigning(t *testing.T) {
	require.Equal(t, paygate.Providers(), signing.Providers())
	for _, name := range signing.Providers() {
		schemes := signing.Schemes(name)
		require.NotEmpty(t, schemes, name)
		for _, s := range schemes {
			require.NotEmpty(t, s.Formula, name)
			if s.SignBody == nil {
				require.NotNil(t, s.Sign, name)
				require.NotNil(t, s.Canonical, name)
			}
			if len(schemes) > 1 {
				require.NotEmpty(t, s.Name, "%s: a provider with several schemes names them", name)
			}
		}
	}
}

func TestNewBuildsEachImportedProvider(t *testing.T) {
	for _, name := range imported(t) {
		_, err := paygate.New(paygate.Config{Provider: name})
		// Every provider refuses a config without credentials, but it is found: the error is
		// the provider's own, not New's unknown-provider error.
		if err != nil {
			require.NotContains(t, err.Error(), "unknown provider", name)
		}
	}
}

func Example() {
	// import _ "github.com/paygate-go/paygate/providers"
	fmt.Println(slices.Contains(paygate.Providers(), "cashgit"))
	// Output: true
}
