# terraform-provider-gitops — see README.md. `make`, `make test`, `make demo`.
SHELL := /bin/bash
.DEFAULT_GOAL := all

PKGS := grpc libprotobuf-c libgit2 libcjson yaml-0.1 openssl libcurl msgpack zlib
CC ?= cc
CSTD := -std=c11 -D_GNU_SOURCE
WARN := -Wall -Wextra -Werror -Wno-unused-parameter
DEPS_OK := build/.deps-ok

# Normal build in build/, sanitizer build in build-asan/ (make check-asan).
B ?= build
EXTRA_CFLAGS ?= -O2 -g
EXTRA_LDFLAGS ?=

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
# The provider binary links gRPC and its C++ dependencies statically: resolving
# their ~70 shared objects' symbols cost a third of every start-up (Terraform
# starts the plugin several times per command). Tests link them dynamically.
STATIC_GRPC ?= 1
ifeq ($(STATIC_GRPC),1)
BIN_LIBS = -Wl,-Bstatic $(filter-out -lz,$(shell pkg-config --libs-only-l grpc 2>/dev/null)) -Wl,-Bdynamic \
	   $(shell pkg-config --libs $(filter-out grpc,$(PKGS)) 2>/dev/null) -lstdc++ -lpthread -lm -ldl
else
BIN_LIBS = $(PKG_LIBS)
endif
CFLAGS_ALL = $(CSTD) $(WARN) $(EXTRA_CFLAGS) -Iprovider -I$(B)/gen $(PKG_CFLAGS) -MMD -MP

PROTOS := proto/tfplugin6.proto proto/plugin.proto proto/health.proto
GEN_C := $(B)/gen/tfplugin6.pb-c.c $(B)/gen/plugin.pb-c.c $(B)/gen/health.pb-c.c \
         $(B)/gen/google/protobuf/timestamp.pb-c.c
LIB_SRC := $(filter-out provider/plugin/main.c,$(shell find provider -name '*.c' | sort))
LIB_OBJ := $(LIB_SRC:%.c=$(B)/obj/%.o) $(GEN_C:%.c=%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)

BIN := $(B)/terraform-provider-gitops

.SECONDARY:
.PHONY: all deps test unit check-asan e2e demo install clean bench format format-check tfcore
all: $(BIN) build/tfcore

$(DEPS_OK): scripts/install-deps.sh
	@bash scripts/install-deps.sh
	@mkdir -p build && touch $@

deps: $(DEPS_OK)

$(B)/gen/%.pb-c.c $(B)/gen/%.pb-c.h: proto/%.proto | $(DEPS_OK)
	@mkdir -p $(B)/gen
	@echo "  PROTOC  $<"
	@protoc-c --c_out=$(B)/gen -Iproto -I/usr/include $<

$(B)/gen/google/protobuf/timestamp.pb-c.c: | $(DEPS_OK)
	@mkdir -p $(B)/gen
	@protoc-c --c_out=$(B)/gen -I/usr/include /usr/include/google/protobuf/timestamp.proto

$(B)/gen/%.pb-c.o: $(B)/gen/%.pb-c.c
	@echo "  CC      $<"
	@$(CC) $(CSTD) $(EXTRA_CFLAGS) -I$(B)/gen $(PKG_CFLAGS) -c $< -o $@

$(B)/obj/%.o: %.c $(GEN_C) | $(DEPS_OK)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS_ALL) -c $< -o $@

$(B)/libgitops.a: $(LIB_OBJ)
	@rm -f $@
	@echo "  AR      $@"
	@ar rcs $@ $^

$(BIN): $(B)/obj/provider/plugin/main.o $(B)/libgitops.a
	@echo "  LD      $@"
	@$(CC) $(EXTRA_CFLAGS) $(EXTRA_LDFLAGS) -o $@ $^ $(BIN_LIBS)

$(B)/tests/%: tests/unit/%.c $(B)/libgitops.a
	@mkdir -p $(B)/tests
	@echo "  LD      $@"
	@$(CC) $(CFLAGS_ALL) -Itests/unit $(EXTRA_LDFLAGS) -o $@ $< $(B)/libgitops.a $(PKG_LIBS) -lcmocka

build/tfcore: $(DEPS_OK) $(shell find tests/tfcore -name '*.go' 2>/dev/null) proto/tfplugin6.proto scripts/build-tfcore.sh
	@echo "  GO      $@"
	@bash scripts/build-tfcore.sh

tfcore: build/tfcore

unit: $(UNIT_BIN) $(BIN)
	@bash scripts/run-unit.sh $(B)

ASAN_VARS = B=build-asan CC=clang STATIC_GRPC=0 \
	  EXTRA_CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	  EXTRA_LDFLAGS="-fsanitize=address,undefined"

# Unit tests, then the protocol and end-to-end tests, against the sanitizer build.
check-asan: build/tfcore
	$(MAKE) $(ASAN_VARS) unit
	E2E_SANITIZER=1 bash scripts/run-e2e.sh build-asan/terraform-provider-gitops

e2e: all
	@bash scripts/run-e2e.sh build/terraform-provider-gitops

test: all
	@bash scripts/test.sh

demo: all
	@bash scripts/demo.sh

install: $(BIN)
	@bash scripts/install-plugin.sh $(BIN)

bench: all
	@bash scripts/bench.sh

format:
	clang-format -i $$(find provider tests -name '*.[ch]')

# Every C file as clang-format (.clang-format) writes it.
format-check:
	@files=$$(find provider tests -name '*.[ch]' | sort); bad=0; \
	for f in $$files; do clang-format --dry-run --Werror "$$f" >/dev/null 2>&1 || { echo "not formatted: $$f"; bad=$$((bad + 1)); }; done; \
	echo "format: $$(($$(echo "$$files" | wc -l) - bad)) passed, $$bad failed"; [ $$bad -eq 0 ]

clean:
	rm -rf build build-asan

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
