package registry_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/paygate-go/paygate/internal/registry"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRegistry(t *testing.T) {
	r := registry.New[int]("test: Register")
	r.Add("b", 2)
	r.Add("a", 1)
	v, ok := r.Get("a")
	require.True(t, ok)
	require.Equal(t, 1, v)
	_, ok = r.Get("c")
	require.False(t, ok)
	require.Equal(t, []string{"a", "b"}, r.Names())
	require.ElementsMatch(t, []int{1, 2}, slices.Collect(r.All()))
	require.PanicsWithValue(t, "test: Register called twice for a", func() { r.Add("a", 3) })
}

func TestRegistryConcurrent(t *testing.T) {
	r := registry.New[int]("test: Register")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			r.Add(fmt.Sprint(i), i)
			_, _ = r.Get("0")
			_ = r.Names()
		})
	}
	wg.Wait()
	require.Len(t, r.Names(), 8)
}

func Example() {
	factories := registry.New[func() string]("example: Register")
	factories.Add("cashgit", func() string { return "a CashGit client" })
	f, _ := factories.Get("cashgit")
	fmt.Println(factories.Names(), f())
	// Output: [cashgit] a CashGit client
}
