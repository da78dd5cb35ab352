// Package layering holds no code, only the test that keeps shiftsim's import
// graph the shape docs/architecture.md draws: one table of what each package
// may import, the wall clock read only where AWS is driven for real, and
// randomness drawn only from seeded generators.
package layering
