# ior - capture, replay and compare the file I/O of Linux processes.
# make            build the six tools into bin/
# make test       run the bats tests (t/); make check is the same
# make asan       build with AddressSanitizer/UBSan into build/asan/bin
# make test-asan  run the tests against the sanitizer build
# make stress     every scenario's replay on the sanitizer build 200 times (t/stress)
# make bench      run the benchmarks (bench/)
# make fuzz       fuzz every stream reader of the sanitizer build (fuzz/),
#                 FUZZ_SECONDS (600) each; exits 1 when it found something
# make install    install into $(DESTDIR)$(PREFIX)

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
SHAREDIR ?= $(PREFIX)/share/ior

# Output directories: the sanitizer build sets these to build/asan/...
BIN ?= bin
OBJ ?= build

CC ?= cc
CLANG ?= clang
BPFTOOL ?= bpftool
CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Werror
ALL_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS) -Ilib -I$(OBJ)
LDLIBS_TRACE := -lbpf -lelf -lz
LDLIBS_MAP := -lpcre2-8
LDLIBS_REPLAY := -lpthread -luring

TOOLS := ior-trace ior-map ior-gen ior-init ior-replay ior-stats
LIB_SRC := $(wildcard lib/*.c)
LIB_OBJ := $(LIB_SRC:lib/%.c=$(OBJ)/lib/%.o)
T_HELPERS := $(patsubst t/helper/%.c,$(OBJ)/t/%,$(wildcard t/helper/*.c))

all: $(TOOLS:%=$(BIN)/%) $(T_HELPERS) $(OBJ)/fuzz/ior-fuzz

$(OBJ)/lib/%.o: lib/%.c lib/ior.h lib/calls.h lib/root.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(OBJ)/libior.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

# ---- BPF: CO-RE object and skeleton from the running kernel's BTF ----
$(OBJ)/vmlinux.h:
	@mkdir -p $(@D)
	@test -r /sys/kernel/btf/vmlinux || { echo "ior: /sys/kernel/btf/vmlinux is missing: ior-trace needs a kernel with BTF" >&2; exit 1; }
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@

# Each bpf/ior-trace*.bpf.c is compiled alone and bpftool links them into
# one object, with one skeleton; they read the table of calls (lib/calls.h).
BPF_HDR := $(wildcard bpf/*.h) lib/calls.h
$(OBJ)/bpf/%.o: bpf/%.bpf.c $(BPF_HDR) $(OBJ)/vmlinux.h
	@mkdir -p $(@D)
	$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror -I$(OBJ) -Ibpf -Ilib -c $< -o $@

$(OBJ)/ior-trace.bpf.o: $(patsubst bpf/%.bpf.c,$(OBJ)/bpf/%.o,$(wildcard bpf/ior-trace*.bpf.c))
	$(BPFTOOL) gen object $@ $^

$(OBJ)/%.skel.h: $(OBJ)/%.bpf.o
	$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

# ---- the tools ----
# A tool is cmd/NAME.c, or every .c file of cmd/NAME/ once it has grown
# into a folder of files by concern; each links the library and its own
# libraries (LDLIBS_NAME).
tool_src = $(or $(wildcard cmd/$(1)/*.c),cmd/$(1).c)
tool_dep = $(call tool_src,$(1)) $(wildcard cmd/$(1)/*.h)
LDLIBS_ior-trace := -lbpf -lelf -lz
LDLIBS_ior-map := -lpcre2-8
LDLIBS_ior-gen := -lm
LDLIBS_ior-init := -lpthread
LDLIBS_ior-replay := -lpthread -luring
LDLIBS_ior-stats := -lm
# ior-trace also needs its BPF object's skeleton.
CFLAGS_ior-trace := -Ibpf
DEPS_ior-trace := bpf/ior-trace.h lib/calls.h $(OBJ)/ior-trace.skel.h

define tool_rule
$(BIN)/$(1): $(call tool_dep,$(1)) $(DEPS_$(1)) $(OBJ)/libior.a
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_CFLAGS) $$(CFLAGS_$(1)) -o $$@ $(call tool_src,$(1)) $(OBJ)/libior.a $$(LDLIBS_$(1))
endef
$(foreach t,$(TOOLS),$(eval $(call tool_rule,$(t))))

# ---- t/helper/*.c: programs the tests run, built into $(OBJ)/t ----
# The programs the tests trace, ior-workload and trace-*, are built
# plain: without the library, the sanitizers or CFLAGS, and loading only
# the libraries they call, so that every call in their capture is one
# their source makes.
T_TRACED := $(filter $(OBJ)/t/ior-workload $(OBJ)/t/trace-%,$(T_HELPERS))
$(T_TRACED): $(OBJ)/t/%: t/helper/%.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 $(WARN) -O2 -g -o $@ $< $(T_STATIC) -Wl,--as-needed -lpthread -luring
# Static: no dynamic loader, whose reads would add to its known counts.
$(OBJ)/t/trace-counts: T_STATIC := -static

# The others drive the library and are built like the tools.
$(OBJ)/t/%: t/helper/%.c $(OBJ)/libior.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(OBJ)/libior.a -lpthread -luring

# ---- t/helper/*32.c: 32-bit (ia32) programs the tests trace ----
# Built plain with gcc -m32, from Debian's gcc-multilib, which
# share/install-deps installs: ior-trace decodes their calls with the
# i386 numbers. Without it they are not built, and their tests say so.
$(OBJ)/t/%32: t/helper/%32.c
	@mkdir -p $(@D)
	@if $(CC) -m32 -print-file-name=crt1.o | grep -q /; then \
		echo "$(CC) -m32 -std=gnu11 $(WARN) -O2 -g -o $@ $<"; \
		$(CC) -m32 -std=gnu11 $(WARN) -O2 -g -o $@ $<; \
	else \
		echo "ior: not building $@: no 32-bit C library (gcc-multilib, share/install-deps)" >&2; \
	fi

# ---- the fuzzer: fuzz/*.c, built like the tools, without the library ----
$(OBJ)/fuzz/ior-fuzz: $(wildcard fuzz/*.c) fuzz/fuzz.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $(wildcard fuzz/*.c)

# ---- tests, sanitizers, benchmarks ----
test check: all
	IOR_BIN=$(abspath $(BIN)) IOR_T=$(abspath $(OBJ)/t) bats t/

SAN := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
asan:
	$(MAKE) BIN=build/asan/bin OBJ=build/asan CFLAGS="$(SAN)"

test-asan: asan
	IOR_BIN=$(abspath build/asan/bin) IOR_T=$(abspath build/asan/t) bats t/

bench: all
	bench/run

stress:
	t/stress

# Each reader of the sanitizer build for FUZZ_SECONDS, one after another,
# at low priority; findings in build/fuzz/findings (t/README).
FUZZ_SECONDS ?= 600
FUZZ_READERS ?= ior-map ior-gen ior-init ior-replay ior-stats
fuzz: all asan
	FUZZ_SECONDS=$(FUZZ_SECONDS) nice -n 10 $(OBJ)/fuzz/ior-fuzz -v $(FUZZ_READERS)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(SHAREDIR)
	install -m 755 $(TOOLS:%=$(BIN)/%) $(DESTDIR)$(BINDIR)
	install -m 644 man/*.1 $(DESTDIR)$(MANDIR)/man1
	install -m 644 man/*.5 $(DESTDIR)$(MANDIR)/man5
	install -m 644 man/*.7 $(DESTDIR)$(MANDIR)/man7
	cp -R share/sample $(DESTDIR)$(SHAREDIR)/

clean:
	rm -rf bin build

.PHONY: all test check asan test-asan bench stress fuzz install clean
.SECONDARY:
