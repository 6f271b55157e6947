package signing

import (
	"testing"

	"github.com/stretchr/testify/require"
)

var md5Fields = Scheme{Canonical: ConcatCanonical, Sign: ConcatMD5, Formula: "md5hex(canonical + secret)", Field: "sign"}

// The test schemes are registered once per test binary, from init as a provider package
// registers its own, so that a run with -count=2 finds them registered and does not panic.
func init() {
	Register("schemetest-b", md5Fields)
	Register("schemetest-a", Scheme{Name: "one", Canonical: KeyParamCanonical, Sign: KeyParamMD5},
		Scheme{Name: "two", Canonical: KeyParamCanonical, Sign: AppendMD5})
}

func TestRegister(t *testing.T) {

	require.Equal(t, "sign", Schemes("schemetest-b")[0].Field)
	got := Schemes("schemetest-a")
	require.Equal(t, []string{"one", "two"}, []string{got[0].Name, got[1].Name}, "the default first")
	got[0].Name = "changed"
	require.Equal(t, "one", Schemes("schemetest-a")[0].Name, "Schemes returns a copy")
	require.Nil(t, Schemes("schemetest-none"))
	require.Subset(t, Providers(), []string{"schemetest-a", "schemetest-b"})
	require.IsIncreasing(t, Providers())

	require.PanicsWithValue(t, "signing: Register called twice for schemetest-a", func() { Register("schemetest-a", md5Fields) })
	require.PanicsWithValue(t, "signing: Register of no scheme for schemetest-c", func() { Register("schemetest-c") })
}
