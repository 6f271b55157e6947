package fakeserver

import (
	"bytes"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
)

// TestUPIIntentEscapesEveryPart: the UPI intent is trusted by html/template (template.URL),
// so every part a merchant or request controls must be escaped: hostile values can neither
// leave the query, nor add a parameter, nor change the scheme, nor break out of the attribute.
func TestUPIIntentEscapesEveryPart(t *testing.T) {
	hostile := []string{
		`"><script>alert(1)</script>`,
		`javascript:alert(1)`,
		`x&pa=thief@upi&am=1`,
		`a#frag`, `a?b=c`, "line\nbreak\x00nul", `' onmouseover='x`, `Ünïcödé ₹`, "%41", `\`, ` `,
	}
	safe := regexp.MustCompile(`^upi://pay\?[A-Za-z0-9\-_.~%+=&]*$`)
	for _, v := range hostile {
		got := string(upiIntent(v, v, v, v))
		require.Regexp(t, safe, got, v)
		q, err := url.ParseQuery(strings.TrimPrefix(got, "upi://pay?"))
		require.NoError(t, err)
		require.Equal(t, url.Values{"pa": {"sandbox@upi"}, "pn": {v}, "am": {v}, "tr": {v}, "cu": {v}}, q,
			"every value reads back as given, in its own parameter")
	}

	// Rendered in the page, a hostile merchant name stays inside the href and title.
	var b bytes.Buffer
	o := Order{Kind: paygate.KindPayIn, Currency: paygate.INR, OrderID: "O1", ProviderOrderID: "P1", Amount: decimal.NewFromInt(100)}
	v := checkoutView{Order: o, Merchant: hostile[0], Provider: "Test", Action: checkoutPath("P1"),
		UPI: upiIntent(hostile[0], "100.00", "P1", "INR"), QR: pattern("P1")}
	require.NoError(t, checkoutTmpl.Execute(&b, v))
	page := b.String()
	require.NotContains(t, page, "<script>alert")
	require.NotContains(t, page, "ZgotmplZ")
	i := strings.Index(page, `id="upi"`)
	require.GreaterOrEqual(t, i, 0)
	link := page[i : i+strings.Index(page[i:], ">")]
	require.Contains(t, link, `href="upi://pay?am=100.00&amp;cu=INR&amp;pa=sandbox%40upi&amp;pn=%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E&amp;tr=P1"`)
}
