package bus

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"
)

func TestInstanceIDTakesTheLowestFreeSlot(t *testing.T) {
	dir := t.TempDir()
	take := func(host, role string) (string, func()) {
		t.Helper()
		id, release, err := instanceID(dir, host, role)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(release)
		return id, release
	}
	first, releaseFirst := take("web-1", "consumer")
	second, _ := take("web-1", "consumer")
	producer, _ := take("web-1", "producer")
	odd, _ := take("my host:1", "producer")
	releaseFirst()
	again, _ := take("web-1", "consumer")
	for _, c := range []struct{ name, got, want string }{
		{"first consumer", first, "web-1-consumer-0"},
		{"second consumer beside it", second, "web-1-consumer-1"},
		{"a producer beside them", producer, "web-1-producer-0"},
		{"a hostname Kafka would refuse", odd, "my_host_1-producer-0"},
		{"a consumer after the first stopped", again, "web-1-consumer-0"},
	} {
		if c.got != c.want {
			t.Errorf("%s: id %q, want %q", c.name, c.got, c.want)
		}
	}
}

// holdSlotEnv makes the test binary a process that takes a consumer slot
// in the named directory, prints its id and waits to be killed.
const holdSlotEnv = "BUS_TEST_HOLD_SLOT_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(holdSlotEnv); dir != "" {
		id, _, err := instanceID(dir, "web-1", "consumer")
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println(id)
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// A process killed with SIGKILL cannot release its slot itself; the kernel
// does, so its restart gets the same id.
func TestInstanceIDSlotOfAKilledProcessIsFree(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), holdSlotEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "web-1-consumer-0\n" {
		t.Fatalf("the other process took %q (%v), want web-1-consumer-0", line, err)
	}
	beside, release, err := instanceID(dir, "web-1", "consumer")
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if beside != "web-1-consumer-1" {
		t.Fatalf("beside a live process: %q, want web-1-consumer-1", beside)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	restarted, release2, err := instanceID(dir, "web-1", "consumer")
	if err != nil {
		t.Fatal(err)
	}
	defer release2()
	if restarted != "web-1-consumer-0" {
		t.Errorf("after the other process was killed: %q, want its id web-1-consumer-0", restarted)
	}
}
