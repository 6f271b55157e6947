// Package registry is the table by name that each of paygate's registries keeps — the
// providers' constructors, their options, their signing schemes: filled from init, read
// concurrently, a name taken once.
package registry

import (
	"iter"
	"maps"
	"slices"
	"sync"
)

// Registry maps names to values of T. It is safe for concurrent use.
type Registry[T any] struct {
	call string // the registering call, named in panics: "paygate: Register"
	mu   sync.RWMutex
	m    map[string]T
}

// New returns an empty Registry whose panics name call.
func New[T any](call string) *Registry[T] {
	return &Registry[T]{call: call, m: map[string]T{}}
}

// Add records v under name. Adding a name twice panics: two packages claim one provider.
func (r *Registry[T]) Add(name string, v T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.m[name]; dup {
		panic(r.call + " called twice for " + name)
	}
	r.m[name] = v
}

// Get returns the value under name, and whether there is one.
func (r *Registry[T]) Get(name string) (T, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	v, ok := r.m[name]
	return v, ok
}

// Names returns the names, sorted.
func (r *Registry[T]) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return slices.Sorted(maps.Keys(r.m))
}

// All returns the values, in no order. The registry is read-locked while they are ranged.
func (r *Registry[T]) All() iter.Seq[T] {
	return func(yield func(T) bool) {
		r.mu.RLock()
		defer r.mu.RUnlock()
		for _, v := range r.m {
			if !yield(v) {
				return
			}
		}
	}
}
