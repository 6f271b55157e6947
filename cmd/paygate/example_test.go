package main

import (
	"context"
	"os"
	"strings"
)

// paygate sign prints what a provider's signature is computed over, and the signature: what
// a merchant compares with their own code when a provider answers "sign error".
func Example_sign() {
	c := &cli{stdin: strings.NewReader(""), stdout: os.Stdout, stderr: os.Stdout}
	c.run(context.Background(), []string{"sign", "--provider", "paypro", "--secret", "s3cret",
		"merchantNo=M1", "tradeNo=ORDER_1", "amount=300"})
	// Output:
	// canonical: amount=300merchantNo=M1tradeNo=ORDER_1
	// hashed:    md5hex(canonical + secret)
	// signature: c97b315a3ecf8f6bb584b161607d1227
}
