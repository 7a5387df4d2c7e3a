package migrate_test

import (
	"testing"

	"github.com/adstream/adstream/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }
