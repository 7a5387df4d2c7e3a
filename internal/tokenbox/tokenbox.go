// Package tokenbox encrypts Graph API access tokens at rest with AES-256-GCM.
package tokenbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
)

// ErrBadKey says the configured key is not 32 bytes of hex.
var ErrBadKey = errors.New("token key must be 64 hex characters (32 bytes)")

// ErrCannotOpen says a sealed token is malformed or was sealed with another key.
var ErrCannotOpen = errors.New("sealed token does not open")

// Box seals and opens tokens with one key. It is safe for concurrent use.
type Box struct{ aead cipher.AEAD }

// New returns a Box for a 64-character hex key.
func New(hexKey string) (*Box, error) {
	key, err := hex.DecodeString(hexKey)
	if err != nil || len(key) != 32 {
		return nil, ErrBadKey
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// NewKey returns a fresh random key in the form New accepts.
func NewKey() string {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(k)
}

// Seal encrypts a token; the result is printable and differs on every call.
func (b *Box) Seal(token string) string {
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(b.aead.Seal(nonce, nonce, []byte(token), nil))
}

// Open decrypts what Seal returned. The error never contains the token.
func (b *Box) Open(sealed string) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil || len(raw) < b.aead.NonceSize() {
		return "", fmt.Errorf("%w: not valid base64 of a nonce and ciphertext", ErrCannotOpen)
	}
	n := b.aead.NonceSize()
	plain, err := b.aead.Open(nil, raw[:n], raw[n:], nil)
	if err != nil {
		return "", fmt.Errorf("%w with this key (wrong ADSTREAM_TOKEN_KEY?)", ErrCannotOpen)
	}
	return string(plain), nil
}
