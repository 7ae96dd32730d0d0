#!/usr/bin/python3
"""gensim peer of `seqtool w2v`, for tests/bench/w2v.sh.

usage:
  w2v_peer.py load FILE [--binary] [--header]
  w2v_peer.py eval VECTORS QUESTIONS [--restrict-vocab N] [--case-sensitive]
              [--per-question OUT] [--predicted]
  w2v_peer.py compare SEQTOOL_PQ PEER_PQ VECTORS [--restrict-vocab N]
              [--case-sensitive] [--show K]
  w2v_peer.py wordsim VECTORS PAIRS [--restrict-vocab N]
  w2v_peer.py train CORPUS OUT [--dim D] [--window W] [--negative K]
              [--min-count M] [--sample S] [--epochs E] [--threads T]
              [--seed N] [--alpha A] [--min-alpha A]

load   times KeyedVectors.load_word2vec_format(FILE, binary=False,
       no_header=True) (GloVe text; --header: a word2vec text file with its
       "count dim" line; --binary: word2vec binary) and prints one JSON line:
       seconds, count, dim, blas.
eval   loads VECTORS (GloVe text without a header, or word2vec text when the
       first line is "COUNT DIM"; not timed, reported as load_seconds), then
       times KeyedVectors.evaluate_word_analogies(QUESTIONS,
       restrict_vocab=N, case_insensitive=not --case-sensitive) and prints
       one JSON line: seconds, per-section {correct, total, accuracy} in file
       order, semantic (the five sections before the gram* ones, as
       word2vec's compute-accuracy counts them), syntactic, total, skipped
       (questions with a word outside the first N words), questions.
       --per-question OUT writes, in file order, one line per question that
       gensim did not skip: SECTION<TAB>A B C D<TAB>ok|wrong, with the words
       as gensim compared them (upper-cased unless --case-sensitive). gensim
       returns only per-section lists of correct and incorrect tuples; they
       are mapped back to file order by re-reading QUESTIONS with gensim's
       parsing, case folding and out-of-vocabulary rule. --predicted adds a
       4th column, gensim's answer (the first of most_similar's top 5 that is
       in the first N words and not one of A B C), computed after the timed
       run by the same calls gensim makes.
compare  question by question: SEQTOOL_PQ is the stdout of `seqtool w2v
       analogy --eval Q --per-question` (SECTION<TAB>A B C D<TAB>PREDICTED<TAB>
       ok|wrong|skip, then summary lines, which are ignored), PEER_PQ the
       file of eval --per-question. Questions are matched by section, words
       (upper-cased unless --case-sensitive) and occurrence. Prints a first
       line "differ=N seqtool_answered=A gensim_answered=B only_seqtool=X
       only_gensim=Y" (only_*: answered by one side, skipped by the other),
       then up to K (10) differing questions with both verdicts and both
       answers (gensim's recomputed from VECTORS as in eval --predicted).
wordsim  loads VECTORS as eval does and scores the word pairs of PAIRS
       (WordSim353, SimLex-999) with KeyedVectors.evaluate_word_pairs(PAIRS,
       restrict_vocab=N (300000), case_insensitive=True); prints one JSON
       line: spearman, pearson, oov_ratio (percent), seconds.
train  gensim Word2Vec(sg=1, hs=0, ...) on LineSentence(CORPUS) (one
       sentence per line, tokens split on whitespace); build_vocab and train
       are timed apart. words_per_s = raw corpus tokens per epoch x epochs /
       train seconds (what seqtool w2v train reports); effective_words is
       gensim's own count (tokens kept after min-count and downsampling).
       Saves the vectors with save_word2vec_format (word2vec text with a
       header, descending frequency) to OUT. Prints one JSON line.
"""
import collections
import logging
import sys

from gensim.models import KeyedVectors, Word2Vec
from gensim.models.word2vec import LineSentence

from peerlib import Stopwatch, parser, report

# compute-accuracy / gensim section order of questions-words.txt: the
# semantic sections come first; every syntactic one is named gram*.
def is_syntactic(name):
    return name.startswith("gram")


def has_header(path):
    with open(path, "rb") as f:
        first = f.readline().split()
    return len(first) == 2 and all(t.isdigit() for t in first)


def load_vectors(path, binary=False):
    if binary:
        return KeyedVectors.load_word2vec_format(path, binary=True)
    return KeyedVectors.load_word2vec_format(path, binary=False,
                                             no_header=not has_header(path))


def cmd_load(a):
    clock = Stopwatch()
    if a.binary:
        kv = KeyedVectors.load_word2vec_format(a.file, binary=True)
    else:
        kv = KeyedVectors.load_word2vec_format(a.file, binary=False,
                                               no_header=not a.header)
    seconds = clock.seconds()
    report({"seconds": round(seconds, 6), "count": len(kv.index_to_key),
            "dim": kv.vector_size})
    return 0


def read_questions(path, case_insensitive):
    """gensim's parsing of an analogy file: (section, (a, b, c, d)) in file
    order, lines of other than 4 words dropped, words upper-cased when
    case_insensitive."""
    out, section = [], None
    with open(path, "rb") as fin:
        for line_no, raw in enumerate(fin):
            line = raw.decode("utf8")
            if line.startswith(": "):
                section = line.lstrip(": ").strip()
                continue
            if section is None:
                raise ValueError("missing section header before line #%i" % line_no)
            words = line.split()
            if len(words) != 4:
                continue
            if case_insensitive:
                words = [w.upper() for w in words]
            out.append((section, tuple(words)))
    return out


def gensim_answer(kv, ok_vocab, q, restrict_vocab, case_insensitive):
    """The word gensim's evaluate_word_analogies compares with D (its loop,
    for one question)."""
    a, b, c, _ = q
    ignore = {a, b, c}
    original = kv.key_to_index
    kv.key_to_index = ok_vocab
    try:
        sims = kv.most_similar(positive=[b, c], negative=[a], topn=5,
                               restrict_vocab=restrict_vocab)
    finally:
        kv.key_to_index = original
    predicted = None
    for element in sims:
        predicted = element[0].upper() if case_insensitive else element[0]
        if predicted in ok_vocab and predicted not in ignore:
            break
    return predicted


def cmd_eval(a):
    ci = not a.case_sensitive
    clock = Stopwatch()
    kv = load_vectors(a.vectors)
    load_seconds = clock.seconds()
    # gensim's evaluation logs at INFO; keep it quiet and out of the timing
    logging.getLogger("gensim").setLevel(logging.WARNING)

    clock = Stopwatch()
    score, sections = kv.evaluate_word_analogies(
        a.questions, restrict_vocab=a.restrict_vocab, case_insensitive=ci)
    seconds = clock.seconds()

    per_section = [s for s in sections if s["section"] != "Total accuracy"]
    rows = collections.OrderedDict()
    sem = [0, 0]
    syn = [0, 0]
    for s in per_section:
        c, n = len(s["correct"]), len(s["correct"]) + len(s["incorrect"])
        rows[s["section"]] = {"correct": c, "total": n,
                              "accuracy": round(100.0 * c / n, 4) if n else 0.0}
        acc = syn if is_syntactic(s["section"]) else sem
        acc[0] += c
        acc[1] += n

    questions = read_questions(a.questions, ci)
    ok_keys = kv.index_to_key[:a.restrict_vocab]
    if ci:
        ok_vocab = {k.upper(): kv.get_index(k) for k in reversed(ok_keys)}
    else:
        ok_vocab = {k: kv.get_index(k) for k in reversed(ok_keys)}
    answered = [(sec, q) for sec, q in questions if all(w in ok_vocab for w in q)]
    skipped = len(questions) - len(answered)

    def pct(x):
        return round(100.0 * x[0] / x[1], 4) if x[1] else 0.0

    tot = [sem[0] + syn[0], sem[1] + syn[1]]
    if tot[1] != len(answered):
        sys.exit("w2v_peer: gensim answered %d questions, the re-read of %s finds %d"
                 % (tot[1], a.questions, len(answered)))
    result = {
        "seconds": round(seconds, 6), "load_seconds": round(load_seconds, 6),
        "count": len(kv.index_to_key), "dim": kv.vector_size,
        "restrict_vocab": a.restrict_vocab, "case_insensitive": ci,
        "sections": rows,
        "semantic": {"correct": sem[0], "total": sem[1], "accuracy": pct(sem)},
        "syntactic": {"correct": syn[0], "total": syn[1], "accuracy": pct(syn)},
        "total": {"correct": tot[0], "total": tot[1], "accuracy": pct(tot)},
        "gensim_score": round(100.0 * score, 4),
        "skipped": skipped, "questions": len(questions),
    }

    if a.per_question:
        # map gensim's per-section lists back to file order; a tuple can be
        # asked more than once (or fold to the same words), and gensim's
        # answer depends only on the tuple, so counting is exact
        verdict = {}
        for s in per_section:
            cnt = verdict.setdefault(s["section"], {})
            for key, tag in (("correct", "ok"), ("incorrect", "wrong")):
                for q in s[key]:
                    prev = cnt.get(q)
                    if prev is not None and prev[0] != tag:
                        sys.exit("w2v_peer: %s %s both correct and incorrect"
                                 % (s["section"], " ".join(q)))
                    cnt[q] = (tag, (prev[1] if prev else 0) + 1)
        with open(a.per_question, "w", encoding="utf-8") as out:
            for sec, q in answered:
                tag, n = verdict.get(sec, {}).get(q, (None, 0))
                if tag is None or n == 0:
                    sys.exit("w2v_peer: %s %s not in gensim's result" % (sec, " ".join(q)))
                verdict[sec][q] = (tag, n - 1)
                line = "%s\t%s\t%s" % (sec, " ".join(q), tag)
                if a.predicted:
                    p = gensim_answer(kv, ok_vocab, q, a.restrict_vocab, ci)
                    line += "\t%s" % p
                out.write(line + "\n")
        left = sum(n for cnt in verdict.values() for _, n in cnt.values())
        if left:
            sys.exit("w2v_peer: %d of gensim's results not found in %s" % (left, a.questions))
    report(result)
    return 0


def cmd_compare(a):
    ci = not a.case_sensitive
    fold = (lambda w: w.upper()) if ci else (lambda w: w)

    def keyed(rows):
        seen = collections.Counter()
        out = collections.OrderedDict()
        for sec, words, rest in rows:
            k = (sec, words)
            seen[k] += 1
            out[(sec, words, seen[k])] = rest
        return out

    seq_rows = []
    with open(a.seqtool_pq, encoding="utf-8") as f:
        for ln in f:
            parts = ln.rstrip("\n").split("\t")
            if len(parts) != 4 or parts[3] not in ("ok", "wrong", "skip"):
                continue  # a summary line
            if parts[3] == "skip":
                continue
            words = " ".join(fold(w) for w in parts[1].split())
            seq_rows.append((parts[0], words, (parts[3], fold(parts[2]))))
    peer_rows = []
    with open(a.peer_pq, encoding="utf-8") as f:
        for ln in f:
            parts = ln.rstrip("\n").split("\t")
            if len(parts) < 3:
                continue
            peer_rows.append((parts[0], parts[1], parts[2]))
    seq, peer = keyed(seq_rows), keyed(peer_rows)
    only_seq = [k for k in seq if k not in peer]
    only_peer = [k for k in peer if k not in seq]
    differ = [k for k in seq if k in peer and seq[k][0] != peer[k]]
    print("differ=%d seqtool_answered=%d gensim_answered=%d only_seqtool=%d only_gensim=%d"
          % (len(differ), len(seq), len(peer), len(only_seq), len(only_peer)))
    show = differ[:a.show]
    if show:
        kv = load_vectors(a.vectors)
        ok_keys = kv.index_to_key[:a.restrict_vocab]
        ok_vocab = {fold(k): kv.get_index(k) for k in reversed(ok_keys)}
        for k in show:
            q = tuple(k[1].split())
            g = gensim_answer(kv, ok_vocab, q, a.restrict_vocab, ci)
            print("  %s: %s  seqtool %s (%s)  gensim %s (%s)"
                  % (k[0], k[1], seq[k][0], seq[k][1], peer[k], g))
    for name, keys in (("seqtool", only_seq), ("gensim", only_peer)):
        for k in keys[:a.show]:
            print("  %s: %s  answered by %s only" % (k[0], k[1], name))
    return 0


def cmd_wordsim(a):
    kv = load_vectors(a.vectors)
    logging.getLogger("gensim").setLevel(logging.WARNING)
    clock = Stopwatch()
    pearson, spearman, oov = kv.evaluate_word_pairs(a.pairs, restrict_vocab=a.restrict_vocab)
    report({"seconds": round(clock.seconds(), 6), "spearman": float(spearman[0]),
            "pearson": float(pearson[0]), "oov_ratio": float(oov)})
    return 0


def cmd_train(a):
    logging.getLogger("gensim").setLevel(logging.WARNING)
    corpus = LineSentence(a.corpus)
    model = Word2Vec(sg=1, hs=0, vector_size=a.dim, window=a.window,
                     negative=a.negative, min_count=a.min_count, sample=a.sample,
                     epochs=a.epochs, workers=a.threads, seed=a.seed,
                     alpha=a.alpha, min_alpha=a.min_alpha)
    clock = Stopwatch()
    model.build_vocab(corpus)
    vocab_seconds = clock.seconds()
    raw_per_epoch = model.corpus_total_words
    clock = Stopwatch()
    effective, raw = model.train(corpus, total_examples=model.corpus_count,
                                 total_words=raw_per_epoch, epochs=model.epochs)
    seconds = clock.seconds()
    clock = Stopwatch()
    model.wv.save_word2vec_format(a.out, binary=False)
    save_seconds = clock.seconds()
    words = raw_per_epoch * a.epochs
    report({
        "vocab_seconds": round(vocab_seconds, 6), "seconds": round(seconds, 6),
        "save_seconds": round(save_seconds, 6),
        "sentences": model.corpus_count, "tokens_per_epoch": raw_per_epoch,
        "words": words, "words_per_s": round(words / seconds, 1),
        "raw_words": raw, "effective_words": effective,
        "effective_words_per_s": round(effective / seconds, 1),
        "vocab": len(model.wv.index_to_key), "dim": a.dim, "epochs": a.epochs,
        "threads": a.threads})
    return 0


def main(argv):
    p = parser(__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)
    l = sub.add_parser("load")
    l.add_argument("file")
    l.add_argument("--header", action="store_true")
    l.add_argument("--binary", action="store_true")
    e = sub.add_parser("eval")
    e.add_argument("vectors")
    e.add_argument("questions")
    e.add_argument("--restrict-vocab", type=int, default=30000)
    e.add_argument("--case-sensitive", action="store_true")
    e.add_argument("--per-question", metavar="OUT")
    e.add_argument("--predicted", action="store_true")
    c = sub.add_parser("compare")
    c.add_argument("seqtool_pq")
    c.add_argument("peer_pq")
    c.add_argument("vectors")
    c.add_argument("--restrict-vocab", type=int, default=30000)
    c.add_argument("--case-sensitive", action="store_true")
    c.add_argument("--show", type=int, default=10)
    w = sub.add_parser("wordsim")
    w.add_argument("vectors")
    w.add_argument("pairs")
    w.add_argument("--restrict-vocab", type=int, default=300000)
    t = sub.add_parser("train")
    t.add_argument("corpus")
    t.add_argument("out")
    t.add_argument("--dim", type=int, default=100)
    t.add_argument("--window", type=int, default=5)
    t.add_argument("--negative", type=int, default=5)
    t.add_argument("--min-count", type=int, default=5)
    t.add_argument("--sample", type=float, default=1e-3)
    t.add_argument("--epochs", type=int, default=5)
    t.add_argument("--threads", type=int, default=2)
    t.add_argument("--seed", type=int, default=1)
    t.add_argument("--alpha", type=float, default=0.025)
    t.add_argument("--min-alpha", type=float, default=0.0001)
    a = p.parse_args(argv)
    return {"load": cmd_load, "eval": cmd_eval, "compare": cmd_compare,
            "wordsim": cmd_wordsim, "train": cmd_train}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
