# Everyday commands. The README's two set-up commands need none of these.
.PHONY: run test generate vet fmt bench load build

run: ## run the server (migrates; seeds demo data in development)
	go run ./cmd/server

test: ## the README's test command
	go test -race ./...

generate: ## regenerate gqlgen code after changing graph/schema or gqlgen.yml
	go generate ./...

vet:
	gofmt -l $$(git ls-files '*.go')
	go vet ./...

bench: ## Go benchmarks against PostgreSQL
	go test -run '^$$' -bench . -benchmem ./...

build:
	CGO_ENABLED=0 go build -trimpath -o bin/server ./cmd/server

ci: ## what CI runs
	bash .ci/run
