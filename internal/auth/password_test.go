package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestDefaultArgon2IsOWASP(t *testing.T) {
	t.Parallel()
	want := Argon2Params{MemoryKiB: 19456, Iterations: 2, Parallelism: 1}
	if DefaultArgon2 != want {
		t.Fatalf("DefaultArgon2 = %+v, want OWASP's %+v", DefaultArgon2, want)
	}
}

func TestHashPassword(t *testing.T) {
	t.Parallel()
	const pw = "correct horse battery staple"
	hash, err := HashPassword(pw, DefaultArgon2)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("PHCStringWithProductionParameters", func(t *testing.T) {
		if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
			t.Fatalf("hash = %q", hash)
		}
		if strings.Contains(hash, pw) {
			t.Fatal("the hash carries the password")
		}
	})
	t.Run("RightPasswordVerifies", func(t *testing.T) {
		ok, err := VerifyPassword(pw, hash)
		if err != nil || !ok {
			t.Fatalf("VerifyPassword = %v, %v", ok, err)
		}
	})
	t.Run("WrongPasswordDoesNotVerify", func(t *testing.T) {
		for _, wrong := range []string{"", "correct horse battery stapl", "Correct horse battery staple", pw + " "} {
			if ok, err := VerifyPassword(wrong, hash); err != nil || ok {
				t.Errorf("VerifyPassword(%q) = %v, %v", wrong, ok, err)
			}
		}
	})
	t.Run("SaltIsRandom", func(t *testing.T) {
		again, err := HashPassword(pw, DefaultArgon2)
		if err != nil {
			t.Fatal(err)
		}
		if again == hash {
			t.Fatal("two hashes of one password are equal")
		}
	})
	t.Run("ParametersComeFromTheHash", func(t *testing.T) {
		cheap, err := HashPassword(pw, Argon2Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1})
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := VerifyPassword(pw, cheap); err != nil || !ok {
			t.Fatalf("VerifyPassword(cheap hash) = %v, %v", ok, err)
		}
	})
}

func TestVerifyPasswordRejectsMalformedHashes(t *testing.T) {
	t.Parallel()
	good, err := HashPassword("correct horse battery", Argon2Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1})
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$")
	for name, h := range map[string]string{
		"Empty":        "",
		"Bcrypt":       "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"Argon2i":      strings.Replace(good, "argon2id", "argon2i", 1),
		"OtherVersion": strings.Replace(good, "v=19", "v=16", 1),
		"BadParams":    strings.Join([]string{"", parts[1], parts[2], "m=x,t=1,p=1", parts[4], parts[5]}, "$"),
		"BadSalt":      strings.Join([]string{"", parts[1], parts[2], parts[3], "!!!", parts[5]}, "$"),
		"BadKey":       strings.Join([]string{"", parts[1], parts[2], parts[3], parts[4], "!!!"}, "$"),
		"TooManyParts": good + "$x",
	} {
		t.Run(name, func(t *testing.T) {
			if ok, err := VerifyPassword("correct horse battery", h); err == nil || ok {
				t.Fatalf("VerifyPassword = %v, %v; want an error", ok, err)
			}
		})
	}
}

func TestVerifyPasswordRejectsDegenerateParameters(t *testing.T) {
	t.Parallel()
	good, err := HashPassword("correct horse battery", Argon2Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1})
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$")
	for name, h := range map[string]string{
		// An empty key would compare equal to the empty key of any password.
		"EmptyKey":        strings.Join([]string{"", parts[1], parts[2], parts[3], parts[4], ""}, "$"),
		"ShortKey":        strings.Join([]string{"", parts[1], parts[2], parts[3], parts[4], "AAAA"}, "$"),
		"ZeroIterations":  strings.Join([]string{"", parts[1], parts[2], "m=64,t=0,p=1", parts[4], parts[5]}, "$"),
		"ZeroParallelism": strings.Join([]string{"", parts[1], parts[2], "m=64,t=1,p=0", parts[4], parts[5]}, "$"),
		"HugeMemory":      strings.Join([]string{"", parts[1], parts[2], "m=4294967295,t=1,p=1", parts[4], parts[5]}, "$"),
	} {
		t.Run(name, func(t *testing.T) {
			if ok, err := VerifyPassword("any password at all", h); err == nil || ok {
				t.Fatalf("VerifyPassword = %v, %v; want an error", ok, err)
			}
		})
	}
}

// At most cap(argonSlots) hashes run at once; one waiting for a turn gives up
// when its context ends, and runs once a slot is free.
func TestArgonSlotsWaitWithinTheContext(t *testing.T) {
	for range cap(argonSlots) {
		argonSlots <- struct{}{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	p := Argon2Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1}
	if _, err := HashPasswordContext(ctx, "password-password", p); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("with every slot taken: %v, want the deadline", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := HashPasswordContext(context.Background(), "password-password", p)
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("hashed with every slot taken (%v)", err)
	case <-time.After(50 * time.Millisecond):
	}
	<-argonSlots // one slot free: the waiting hash runs
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for range cap(argonSlots) - 1 {
		<-argonSlots
	}
}
