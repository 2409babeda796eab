/*
 * trace-hold FILE READY - hold FILE open read-write at offset 123 until
 * SIGUSR1, then read 10 bytes of it.  Creates READY once the descriptor
 * is in place, for the test to wait on.
 *
 * For the t/ior-trace.bats tests of -p (a running process's descriptors
 * and their offsets) and -c (processes chosen by command name), where it
 * is installed as "hold" (and again as "holdx", a name -c '^hold$' does
 * not match).
 */
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

static volatile sig_atomic_t go;

static void on_usr1(int sig)
{
	(void)sig;
	go = 1;
}

int main(int argc, char **argv)
{
	char b[10];
	int fd = open(argv[1], O_RDWR);

	(void)argc;
	signal(SIGUSR1, on_usr1);
	lseek(fd, 123, SEEK_SET);
	close(creat(argv[2], 0644));	/* tells the test we are ready */
	while (!go)
		pause();
	read(fd, b, sizeof(b));
	return 0;
}
