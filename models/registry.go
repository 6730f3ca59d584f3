package models

var tables []any

// register adds GORM models that have a table of their own. Each model file
// registers its models in an init function.
func register(ms ...any) { tables = append(tables, ms...) }

// Tables returns one value of every model that maps to a table; the test that
// compares models with the migrated schema walks it.
func Tables() []any { return tables }
