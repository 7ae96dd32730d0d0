# seqtool — see README.md.  `make` builds ./seqtool; `make check` installs
# missing Debian build dependencies, builds and runs every test.

VERSION := 0.1.0
prefix ?= /usr/local
bindir ?= $(prefix)/bin
mandir ?= $(prefix)/share/man
datadir ?= $(prefix)/share/seqtool
completiondir ?= $(prefix)/share/bash-completion/completions
DESTDIR ?=

CC ?= cc
CFLAGS ?= -O3 -g
PKGS := blas-netlib libcjson sndfile samplerate kissfft-float libpng
# Compiled against, not linked: audio/synth.c loads FluidSynth (and GLib
# with it) with dlopen when a SoundFont rendering is asked for.
DLOPEN_PKGS := fluidsynth glib-2.0
WARN := -Wall -Wextra -Wshadow -Wno-unused-parameter -Wno-psabi
ALL_CFLAGS := -std=gnu11 -pthread $(WARN) $(CFLAGS) -MMD -MP $(shell pkg-config --cflags $(PKGS) $(DLOPEN_PKGS) 2>/dev/null)
LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lblas -lcjson -lsndfile -lsamplerate -lkissfft-float -lpng16) -lm -pthread

# Build variants: SANITIZE=1 (ASan + UBSan), NATIVE=1 (-march=native).
BUILD := build/release
ifeq ($(SANITIZE),1)
BUILD := build/sanitize
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif
ifeq ($(NATIVE),1)
BUILD := $(BUILD)-native
ALL_CFLAGS += -march=native
endif

# The layers, and what each may include (see README, "Layout"):
#   core/        the engine: compiled with core/ alone on the include path;
#   audio/       sound and MIDI: sees core/ and audio/;
#   cmd/NAME/    a command: its face (NAME.c, NAME_*.c: options, files,
#                terminal) sees cmd/ too; its model files (every other .c
#                there) see core/, audio/ and their own folder only, so a
#                model file that includes cli.h does not build.
CORE_SRC := $(wildcard core/*.c)
AUDIO_SRC := $(wildcard audio/*.c)
CMD_DIRS := $(patsubst %/,%,$(wildcard cmd/*/))
FACE_SRC := $(wildcard cmd/*.c) $(foreach d,$(CMD_DIRS),$(wildcard $(d)/$(notdir $(d)).c $(d)/$(notdir $(d))_*.c))
MODEL_SRC := $(filter-out $(FACE_SRC),$(wildcard cmd/*/*.c))
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o) $(AUDIO_SRC:%.c=$(BUILD)/%.o)
MODEL_OBJ := $(MODEL_SRC:%.c=$(BUILD)/%.o)
FACE_OBJ := $(FACE_SRC:%.c=$(BUILD)/%.o)
$(CORE_SRC:%.c=$(BUILD)/%.o): INCLUDES := -Icore
$(AUDIO_SRC:%.c=$(BUILD)/%.o) $(MODEL_OBJ): INCLUDES := -Icore -Iaudio
$(FACE_OBJ): INCLUDES := -Icore -Iaudio -Icmd -I$(BUILD)
$(BUILD)/tests/%.o: INCLUDES := -Icore -Iaudio -Itests $(addprefix -I,$(CMD_DIRS))
# Every tests/test_*.c is a unit-test program that tests/run runs.
UNIT_PROGS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/test_*.c))
TEST_PROGS := $(UNIT_PROGS) $(BUILD)/tests/gradump $(BUILD)/tests/layerdump $(BUILD)/tests/gemm_speed \
	$(BUILD)/tests/audiodump $(BUILD)/tests/synth_speed \
	$(BUILD)/tests/test_core_fault1 $(BUILD)/tests/test_core_fault2 $(BUILD)/tests/test_core_fault3 \
	$(BUILD)/tests/test_layers_fault4 $(BUILD)/tests/test_layers_fault5 $(BUILD)/tests/test_layers_fault6 \
	$(BUILD)/tests/test_synth_nofluid
# Every tests/fuzz/fuzz_NAME.c is a fuzz target: `make check` replays its
# seeds and every input a fuzzer crashed on (tests/fuzz/regress/NAME/)
# through tests/fuzz/replay.c, so it needs no clang; `make fuzz` runs the
# targets under libFuzzer (the end of this file).
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
TEST_PROGS += $(FUZZ_NAMES:%=$(BUILD)/tests/fuzz/replay_%) $(BUILD)/tests/fuzz/seeds
BIN := $(BUILD)/seqtool

.PHONY: FORCE all deps check identity bench crosscheck demo corpus nmt-model dinos-model w2v-vectors emojify-model jazz-model trigger-data trigger-model install clean trigger-unseen fuzz
all: seqtool

# ./seqtool is the release build; sanitizer builds stay under build/.
seqtool: $(BIN)
ifneq ($(SANITIZE),1)
	cp $(BIN) seqtool.tmp && mv -f seqtool.tmp seqtool
endif

$(BIN): $(CORE_OBJ) $(MODEL_OBJ) $(FACE_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(INCLUDES) -c -o $@ $<

# The version and the data folder, rewritten only when they change, so
# that `make install prefix=X` after a plain `make` rebuilds what uses them.
CONFIG := $(BUILD)/config.h
$(FACE_OBJ): | $(CONFIG)
$(CONFIG): FORCE
	@mkdir -p $(dir $@)
	@printf '#define SEQTOOL_VERSION "%s"\n#define SEQTOOL_DATADIR "%s"\n' '$(VERSION)' '$(datadir)' > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv -f $@.tmp $@
FORCE:

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(CORE_OBJ) $(MODEL_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

# test_defaults reads the commands' tables and hooks: every face but main.
$(BUILD)/tests/test_defaults.o: INCLUDES := -Icore -Iaudio -Itests -Icmd $(addprefix -I,$(CMD_DIRS))
$(BUILD)/tests/test_defaults: $(BUILD)/tests/test_defaults.o $(CORE_OBJ) $(MODEL_OBJ) $(filter-out $(BUILD)/cmd/seqtool.o,$(FACE_OBJ))
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/fuzz/replay_%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/fuzz/replay.o $(CORE_OBJ) $(MODEL_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

deps:
	@tests/install-deps

check: deps
	@$(MAKE) --no-print-directory seqtool $(TEST_PROGS)
	@SEQTOOL=$(BIN) TESTBIN=$(BUILD)/tests tests/run

crosscheck: deps
	@$(MAKE) --no-print-directory seqtool $(TEST_PROGS)
	@CROSSCHECK_REQUIRED=1 SEQTOOL=$(BIN) TESTBIN=$(BUILD)/tests tests/crosscheck.sh

# The same outputs and files, byte for byte, as the release build of commit
# BASE (a git worktree of it under build/identity-base): tests/identity.sh.
BASE ?= HEAD
identity: deps seqtool
	@rm -rf build/identity-base && git worktree prune
	@git worktree add -q --detach build/identity-base $(BASE)
	@$(MAKE) --no-print-directory -C build/identity-base seqtool >/dev/null
	@tests/identity.sh build/identity-base/seqtool ./seqtool; rc=$$?; \
	    git worktree remove --force build/identity-base; exit $$rc

# BENCH=NAME runs one of tests/bench/*.sh (dinos, w2v); all by default.
bench: deps
	@$(MAKE) --no-print-directory seqtool $(TEST_PROGS)
	@SEQTOOL=$(BIN) TESTBIN=$(BUILD)/tests tests/bench/run $(BENCH)

# Each command answers once with the model the project ships (no training,
# no option naming a model): what a new user sees first.
DEMO := 'dinos sample -n 5 --novel' 'w2v analogy man woman king' 'w2v nearest france -k 5' \
	'emojify predict "let'"'"'s grab lunch" "I love you" "we won the baseball game"' \
	'nmt translate "the 29th of August 1958" "Sat 9 May 18" 05/03/79'
demo: deps
	@$(MAKE) --no-print-directory -j$$(nproc) seqtool
	@for c in $(DEMO); do echo; echo "\$$ seqtool $$c"; eval "./seqtool $$c" || exit 1; done

# The date translator shipped in datasets/nmt (what `seqtool nmt translate`
# uses without -m): the defaults of `nmt train`, seed 1, two threads; the
# same file again on the same kind of CPU. Then its exact match on 10,000
# dates from a seed training never drew from.
NMT_MODEL := datasets/nmt/dates.safetensors
nmt-model: seqtool
	./seqtool nmt train --seed 1 --threads 2 -o $(NMT_MODEL)
	./seqtool nmt eval -m $(NMT_MODEL) -n 10000 --seed 20261123

# The jazz model shipped in datasets/jazz (what `seqtool jazz generate` uses
# without -m): trained on the Weimar Jazz Database's train split (the
# valid split chooses the epoch kept), seed 1; then its bits per note on
# the test split beside the n-gram baseline. Needs ../shared.
JAZZ_MODEL := datasets/jazz/wjazzd.safetensors
JAZZ_CORPUS ?= ../shared/datasets/jazz-corpus
jazz-model: seqtool
	./seqtool jazz train --list $(JAZZ_CORPUS)/split.tsv --seed 1 -o $(JAZZ_MODEL)
	./seqtool jazz eval -m $(JAZZ_MODEL) --list $(JAZZ_CORPUS)/split.tsv

# The name model shipped in datasets/dinos (what `seqtool dinos sample`
# and `score` read without -m when there is no ./dinos.safetensors): the
# defaults of `dinos train` on datasets/dinos.txt, seed 1.
DINOS_MODEL := datasets/dinos/dinos.safetensors
dinos-model: seqtool
	./seqtool dinos train datasets/dinos.txt --seed 1 -o $(DINOS_MODEL)

# English training text for `seqtool w2v train`, from Debian packages
# (installs them when missing); see datasets/w2v/README.md.
W2V_CORPUS := datasets/w2v/corpus.txt
corpus:
	datasets/w2v/make-corpus

# The word vectors shipped in datasets/w2v (what `seqtool w2v` reads
# without -v or $$SEQTOOL_VECTORS): `w2v train` on the corpus, 100
# dimensions, the words seen 8 times or more (47,948), one thread so that
# the same corpus gives the same bytes; then 8-bit rows.  The float32
# vectors stay in build/w2v.  Their scores when ../shared has the test
# sets; tests/bench/vectors.sh puts gensim beside them.
W2V_VECTORS := datasets/w2v/vectors.safetensors
W2V_FLOAT32 := build/w2v/vectors-float32.safetensors
W2V_EVAL := ../shared/datasets/eval
w2v-vectors: seqtool
	@[ -f $(W2V_CORPUS) ] || datasets/w2v/make-corpus
	@mkdir -p build/w2v
	./seqtool w2v train $(W2V_CORPUS) --dim 100 --min-count 8 --threads 1 --seed 1 -o $(W2V_FLOAT32)
	./seqtool w2v convert $(W2V_FLOAT32) --int8 -o $(W2V_VECTORS)
	@if [ -d $(W2V_EVAL) ]; then for v in $(W2V_FLOAT32) $(W2V_VECTORS); do \
	    echo "$$v:"; \
	    ./seqtool w2v analogy -v $$v --eval $(W2V_EVAL)/questions-words.txt --restrict-vocab 30000 -q | tail -2; \
	    ./seqtool w2v similarity -v $$v --eval $(W2V_EVAL)/wordsim353.tsv | sed -n 's/^spearman/wordsim353 spearman/p'; \
	    ./seqtool w2v similarity -v $$v --eval $(W2V_EVAL)/simlex999.txt | sed -n 's/^spearman/simlex999 spearman/p'; \
	done; else echo "$(W2V_EVAL) is absent: no scores"; fi

# The emoji model shipped in datasets/emojify (what `seqtool emojify
# predict`, `eval` and `info` read without -m when there is no
# ./emojify.safetensors): the defaults of `emojify train` (v2) on the
# project's sentences over the shipped vectors, seed 1; its accuracy on
# the project's test split, then on the course's test file when ../shared
# has it.
EMOJIFY_MODEL := datasets/emojify/emojify.safetensors
EMOJIFY_COURSE_TEST := ../shared/datasets/course/emojify/tesss.csv
emojify-model: seqtool
	./seqtool emojify train datasets/emojify/train.csv -v $(W2V_VECTORS) --test datasets/emojify/test.csv \
	    --seed 1 -o $(EMOJIFY_MODEL)
	@if [ -f $(EMOJIFY_COURSE_TEST) ]; then echo "$(EMOJIFY_COURSE_TEST):"; \
	    ./seqtool emojify eval $(EMOJIFY_COURSE_TEST) -m $(EMOJIFY_MODEL) -v $(W2V_VECTORS) | head -1; \
	else echo "$(EMOJIFY_COURSE_TEST) is absent: no course score"; fi

# Every model the project ships, installed under $(datadir) by the path
# it has below datasets/ (where cli_default_model looks for it).
SHIPPED_MODELS := $(NMT_MODEL) $(DINOS_MODEL) $(W2V_VECTORS) $(EMOJIFY_MODEL) $(JAZZ_MODEL)

# The wake-word model shipped in datasets/trigger (what `seqtool trigger
# detect` uses without -m): datasets/trigger/make-data renders and mixes
# its clips into $(TRIGGER_DATA) (espeak-ng, flite, sox, and the course's
# recordings when ../shared has them, one speaker held out); then
# datasets/trigger/make-model trains three networks at once (seeds 1, 2
# and 3, warped bands), each with two rounds of retraining on the false
# alarms it gives on generated non-wake speech (datasets/trigger/retrain),
# and joins them in one ensemble (trigger combine); and eval on the clips
# training never saw.  See datasets/trigger/README.md.
TRIGGER_DATA ?= build/trigger-data
TRIGGER_MODEL := datasets/trigger/activate.safetensors
TRIGGER_TRAIN ?= --epochs 30 --threshold 0.9 --warp
trigger-data: seqtool
	datasets/trigger/make-data $(TRIGGER_DATA)
trigger-model: trigger-data
	TRIGGER_TRAIN='$(TRIGGER_TRAIN)' datasets/trigger/make-model $(TRIGGER_DATA) $(TRIGGER_MODEL)
	@for s in eval-voices eval-speech dev-course; do [ ! -d $(TRIGGER_DATA)/$$s ] || \
	    { echo "== $$s"; ./seqtool trigger eval $(TRIGGER_DATA)/$$s -m $(TRIGGER_MODEL) -q | head -8; }; done

# The shipped model (or UNSEEN_MODEL=FILE) on voices it never heard:
# festival's, which training and tuning never use (datasets/trigger/
# make-unseen installs them when missing): a set of clips per English
# voice and an hour of non-wake speech and noise, `trigger eval` at the
# model's threshold, the DET curve in $(TRIGGER_UNSEEN)/det.svg.
TRIGGER_UNSEEN ?= build/trigger-unseen
UNSEEN_MODEL ?=
trigger-unseen: seqtool
	UNSEEN_MODEL='$(UNSEEN_MODEL)' datasets/trigger/make-unseen $(TRIGGER_UNSEEN)

install: seqtool
	install -d $(DESTDIR)$(bindir) $(DESTDIR)$(mandir)/man1 $(DESTDIR)$(completiondir)
	install -m 755 seqtool $(DESTDIR)$(bindir)/seqtool
	install -m 644 man/*.1 $(DESTDIR)$(mandir)/man1/
	for f in $(SHIPPED_MODELS:datasets/%=%); do \
	    install -d $(DESTDIR)$(datadir)/$$(dirname $$f) && \
	    install -m 644 datasets/$$f $(DESTDIR)$(datadir)/$$f || exit 1; \
	done
	[ ! -f $(TRIGGER_MODEL) ] || { install -d $(DESTDIR)$(datadir)/trigger && \
	    install -m 644 $(TRIGGER_MODEL) $(DESTDIR)$(datadir)/trigger/; }
	./seqtool completion bash > $(DESTDIR)$(completiondir)/seqtool.tmp
	mv -f $(DESTDIR)$(completiondir)/seqtool.tmp $(DESTDIR)$(completiondir)/seqtool

clean:
	rm -rf build seqtool

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# Gradient-check self-tests: a core file with one gradient term's sign
# flipped (core/fault.h); test_core must catch faults 1-3 (cells.c),
# test_layers faults 4-6 (layers.c, loss.c).
$(BUILD)/fault%/cells.o: core/cells.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Icore -DSEQTOOL_FAULT=$* -c -o $@ $<
$(BUILD)/fault%/layers.o: core/layers.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Icore -DSEQTOOL_FAULT=$* -c -o $@ $<
$(BUILD)/fault%/loss.o: core/loss.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Icore -DSEQTOOL_FAULT=$* -c -o $@ $<

$(BUILD)/tests/test_core_fault%: $(BUILD)/tests/test_core.o $(BUILD)/fault%/cells.o $(filter-out $(BUILD)/core/cells.o,$(CORE_OBJ)) $(MODEL_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)
$(BUILD)/tests/test_layers_fault%: $(BUILD)/tests/test_layers.o $(BUILD)/fault%/layers.o $(BUILD)/fault%/loss.o \
		$(filter-out $(BUILD)/core/layers.o $(BUILD)/core/loss.o,$(CORE_OBJ)) $(MODEL_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

# FluidSynth absent at run time: audio/synth.c built to dlopen a library
# no system has (see tests/test_synth.c, --no-fluidsynth).
$(BUILD)/nofluid/synth.o: audio/synth.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Icore -Iaudio -DSYNTH_FLUIDSYNTH_LIB='"libfluidsynth-absent.so.3"' -c -o $@ $<

$(BUILD)/tests/test_synth_nofluid: $(BUILD)/tests/test_synth.o $(BUILD)/nofluid/synth.o $(filter-out $(BUILD)/audio/synth.o,$(CORE_OBJ)) $(MODEL_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

# ---- fuzzing: make fuzz [FUZZ_SECONDS=N] ----
# Each target of tests/fuzz/ built with clang, libFuzzer, AddressSanitizer
# and UBSan (the engine and the readers instrumented alike, under
# build/fuzz), then run for FUZZ_SECONDS seconds, one after another on one
# core, from its seeds and what earlier runs found (build/fuzz/corpus/);
# a crash, a leak, a hang (10 s for one input), a peak memory over 2 GB or
# one allocation over 2 GB fails it, and leaves the input in
# build/fuzz/crashes/NAME/ (tests/fuzz/run; see tests/fuzz/README.md).
FUZZ_CC ?= clang-14
FUZZ_SECONDS ?= 60
FUZZ_DIR := build/fuzz
FUZZ_CFLAGS := -std=gnu11 -pthread -g -O1 -fno-omit-frame-pointer -Wall -Wextra -Wno-unused-parameter -Wno-psabi \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined -MMD -MP \
	$(shell pkg-config --cflags $(PKGS) $(DLOPEN_PKGS) 2>/dev/null) -Icore -Iaudio -Itests $(addprefix -I,$(CMD_DIRS))
FUZZ_LIB_OBJ := $(patsubst %.c,$(FUZZ_DIR)/%.o,$(CORE_SRC) $(AUDIO_SRC) $(MODEL_SRC))
FUZZ_BINS := $(FUZZ_NAMES:%=$(FUZZ_DIR)/fuzz_%)
# The numeric kernels have no branches on input bytes worth a fuzzer's
# comparison tracing, which made them three times slower: edges only.
FUZZ_NUMERIC := core/gemm.c core/cells.c core/attention.c core/layers.c core/tensor.c core/loss.c \
	core/optim.c core/init.c audio/spec.c cmd/nmt/seq2seq.c cmd/emojify/emo_infer.c
$(FUZZ_NUMERIC:%.c=$(FUZZ_DIR)/%.o): FUZZ_CFLAGS += -fno-sanitize-coverage=trace-cmp

fuzz: deps
	@tests/install-deps clang-14 libfuzzer-14-dev
	@$(MAKE) --no-print-directory $(FUZZ_BINS) $(BUILD)/tests/fuzz/seeds
	@FUZZ_DIR=$(FUZZ_DIR) SEEDS=$(BUILD)/tests/fuzz/seeds tests/fuzz/run $(FUZZ_SECONDS) $(FUZZ_NAMES)

$(FUZZ_DIR)/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/tests/fuzz/fuzz_%.o $(FUZZ_LIB_OBJ)
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(LIBS)

-include $(shell find $(FUZZ_DIR) -name '*.d' 2>/dev/null)
