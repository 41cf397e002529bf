// Package planetscrud is the "planets-crud" take-home: import planets once
// from a GraphQL endpoint the grader serves, store them, and expose them over
// a REST CRUD API (take-home contract §2).
package planetscrud
