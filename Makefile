# Assay: `make run` brings everything up, `make test` checks everything.
SHELL := /bin/bash
GO ?= go
BIN := bin/assay
export ASSAY_ENV ?= dev
export ASSAY_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/assay?sslmode=disable

.PHONY: run test bench build services vet fmt

build:
	$(GO) build -o $(BIN) ./cmd/assay

services:
	./deploy/ensure-services.sh

run: services build
	./deploy/create-database.sh "$(ASSAY_DATABASE_URL)"
	./$(BIN) migrate up
	./$(BIN) seed
	./$(BIN) all

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }

test: 
	./deploy/ensure-services.sh --browser
	$(MAKE) vet
	$(GO) test -count=1 -timeout 25m ./...

bench: services
	./deploy/bench.sh
