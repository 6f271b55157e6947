package paygate_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestEveryTestBinaryChecksLeaks: every package with tests runs them under goleak, so that a
// test leaving a goroutine behind fails where it is written.
func TestEveryTestBinaryChecksLeaks(t *testing.T) {
	guarded := map[string]bool{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		dir := filepath.Dir(path)
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		guarded[dir] = guarded[dir] || strings.Contains(string(b), "goleak.VerifyTestMain(")
		return nil
	})
	require.NoError(t, err)
	require.NotEmpty(t, guarded)
	for dir, ok := range guarded {
		require.True(t, ok, "%s: its tests do not run under goleak.VerifyTestMain", dir)
	}
}
