module github.com/opencontainers/go-digest

go 1.21 // a change made for berth: sync.OnceValue (upstream: 1.13)
