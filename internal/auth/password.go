package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"

	"mlp/internal/caller"
)

// Argon2Params are the cost parameters of the password hash.
type Argon2Params struct {
	MemoryKiB   uint32
	Iterations  uint32
	Parallelism uint8
}

// DefaultArgon2 is OWASP's recommended argon2id configuration: 19 MiB of
// memory, 2 iterations, 1 degree of parallelism.
var DefaultArgon2 = Argon2Params{MemoryKiB: 19 * 1024, Iterations: 2, Parallelism: 1}

const (
	saltLen = 16
	keyLen  = 32
	// maxMemoryKiB bounds the memory a stored hash may ask for (1 GiB).
	maxMemoryKiB = 1 << 20
)

var b64 = base64.RawStdEncoding

// argonSlots bounds the argon2 computations running at once to the CPUs the
// process may use. Each takes MemoryKiB (19 MiB) and a core for tens of
// milliseconds, so more at once only add memory and take the CPU from every
// other request: cmd/soak's 200 patients registering at once held about
// 900 MB and starved the pool's connections into UNAVAILABLE before.
var argonSlots = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))

// argonKey is argon2.IDKey in one of argonSlots; it gives up waiting for one
// when ctx ends (the request's deadline) with ctx's error, or when the
// request's client left (caller.Gone) with context.Canceled.
func argonKey(ctx context.Context, password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) ([]byte, error) {
	select {
	case argonSlots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-caller.Gone(ctx):
		return nil, context.Canceled
	}
	defer func() { <-argonSlots }()
	return argon2.IDKey(password, salt, time, memory, threads, keyLen), nil
}

// HashPassword returns the PHC string of an argon2id hash of password.
func HashPassword(password string, p Argon2Params) (string, error) {
	return HashPasswordContext(context.Background(), password, p)
}

// HashPasswordContext is HashPassword waiting for its turn (argonSlots) at
// most until ctx ends.
func HashPasswordContext(ctx context.Context, password string, p Argon2Params) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key, err := argonKey(ctx, []byte(password), salt, p.Iterations, p.MemoryKiB, p.Parallelism, keyLen)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.MemoryKiB, p.Iterations, p.Parallelism, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var errBadHash = errors.New("unrecognised password hash")

// VerifyPassword reports whether password matches the PHC string hash, using
// the parameters stored in the hash. The comparison takes constant time.
func VerifyPassword(password, hash string) (bool, error) {
	return VerifyPasswordContext(context.Background(), password, hash)
}

// VerifyPasswordContext is VerifyPassword waiting for its turn (argonSlots)
// at most until ctx ends; it returns ctx's error then.
func VerifyPasswordContext(ctx context.Context, password, hash string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	var p Argon2Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Iterations, &p.Parallelism); err != nil {
		return false, errBadHash
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return false, errBadHash
	}
	// An empty or short key would match too easily, and zero rounds or lanes
	// make argon2 panic: refuse such hashes rather than trust them.
	if len(want) < 16 || p.Iterations < 1 || p.Parallelism < 1 || p.MemoryKiB < 8*uint32(p.Parallelism) || p.MemoryKiB > maxMemoryKiB {
		return false, errBadHash
	}
	got, err := argonKey(ctx, []byte(password), salt, p.Iterations, p.MemoryKiB, p.Parallelism, uint32(len(want)))
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
