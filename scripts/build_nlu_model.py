#!/usr/bin/env python3
"""Rebuild the fallback scorer's weights (src/mobius_cli/nl/lang/model.json).

    python scripts/build_nlu_model.py [--per-intent 700] [--seed 13] [--corpus OUT.jsonl]

The corpus is generated from the contract (nl-commands.md): templates for every intent in
en/es/fr/de/pt x the parser's vocabularies (coins, chains, protocols, currencies, DeFi
categories, indicators) x numbers and periods x typos, casing and filler. No labelled test
set (dev, check half, unseen set) is read. Each sentence goes through the parser's own
tokenizer and name finder, so the model sees the same shape it will see at run time, and a
softmax regression over word / bigram / character 4-gram features is fitted with numpy.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from mobius_cli.nl import vocab  # noqa: E402
from mobius_cli.nl.entities import scan_tokens  # noqa: E402
from mobius_cli.nl.fallback import MODEL_PATH, features  # noqa: E402
from mobius_cli.nl.text import tokenize  # noqa: E402

# ruff: noqa: E501  (template tables read best one intent per block)

# {c} {c2} {c3} coins, {n} amount, {pct} percentage, {per} period, {f} currency, {ch} chain,
# {pr} {pr2} protocols, {cat} DeFi category, {ind} indicator, {iv} interval, {lim} count.
T: dict[str, list[str]] = {
    "price": [
        "{c} price", "price of {c}", "how much is {c}", "how much is {c} now", "what is {c} at",
        "{c} now?", "quote {c}", "current {c} price", "what does {c} cost", "{c} price in {f}",
        "{c} {c2}", "{c}, {c2} and {c3}", "prices for {c} and {c2}", "how much for one {c}",
        "what's {c} trading at", "{c} in {f}", "give me the {c} quote", "is {c} up today?",
        "where is {c} now", "{c} rate", "{c} price rn", "check {c} for me",
        "precio de {c}", "cuanto vale {c}", "prix du {c}", "combien vaut le {c}",
        "wie viel kostet {c}", "{c} kurs", "preco do {c}", "quanto custa {c}",
    ],
    "convert": [
        "convert {n} {c} to {f}", "{n} {c} in {f}", "{n} {c} to {c2}", "how many {c} for {n} {f}",
        "what is {n} {c} worth in {f}", "{n} {f} to {c}", "how much is {n} {c} in {f}",
        "change {n} {c} into {c2}", "{n} {c} -> {f}", "exchange {n} {f} for {c}",
        "how many {c2} do i get for {n} {c}", "{n} sats in {f}", "convert {n} sats to {f}",
        "convierte {n} {c} a {f}", "cuantos {c} son {n} {f}", "convertis {n} {c} en {f}",
        "combien font {n} {c} en {f}", "rechne {n} {c} in {f} um", "{n} {c} in {f} umrechnen",
        "converte {n} {c} para {f}", "quanto sao {n} {c} em {f}",
    ],
    "market_overview": [
        "market overview", "how is the crypto market", "how's the market doing", "top {lim} coins",
        "total market cap", "btc dominance", "crypto market today", "state of the market",
        "biggest coins by market cap", "top {lim} cryptos in {f}", "market status",
        "market update", "how are markets looking", "overall crypto market", "global market cap",
        "what does the market look like", "market summary please", "how is crypto doing today",
        "como esta el mercado cripto", "resumen del mercado", "comment va le marche crypto",
        "apercu du marche", "wie lauft der kryptomarkt", "marktuberblick", "como esta o mercado",
        "visao geral do mercado",
    ],
    "coin_info": [
        "what is {c}", "tell me about {c}", "info on {c}", "{c} all time high",
        "what is the ath of {c}", "circulating supply of {c}", "max supply of {c}",
        "who created {c}", "what does {c} do", "{c} website", "{c} whitepaper",
        "what rank is {c}", "explain {c}", "what's the deal with {c}", "what's the story with {c}",
        "how does {c} work", "facts about {c}", "{c} market cap rank", "details on {c}",
        "que es {c}", "informacion sobre {c}", "qu'est-ce que {c}", "parle moi de {c}",
        "was ist {c}", "erklar mir {c}", "o que e {c}", "me fala sobre {c}",
    ],
    "price_history": [
        "{c} chart", "chart {c} {per}", "{c} price history", "show {c} over {per}",
        "how did {c} do {per}", "plot {c} {per}", "{c} history {per}", "graph of {c}",
        "how has {c} performed {per}", "{c} candles", "{c} over the last {per}",
        "historical prices of {c}", "{c} {per} chart", "{c} performance {per}",
        "grafico de {c} {per}", "historial de {c}", "graphique {c} {per}", "historique du {c}",
        "{c} kursverlauf", "chart von {c} {per}", "grafico do {c} {per}", "historico do {c}",
    ],
    "compare": [
        "{c} vs {c2}", "compare {c} and {c2}", "{c} or {c2} which is better",
        "{c} versus {c2} {per}", "how does {c} stack up against {c2}", "{c} and {c2} side by side",
        "which did better {c} or {c2}", "{c} or {c2}, which rallied more {per}",
        "did {c} outperform {c2}", "compare {c}, {c2} and {c3}", "{c} against {c2} {per}",
        "put {c} next to {c2}", "which gained more, {c} or {c2}",
        "comparar {c} y {c2}", "{c} o {c2} cual es mejor", "comparer {c} et {c2}",
        "vergleiche {c} mit {c2}", "{c} oder {c2}", "comparar {c} e {c2}",
    ],
    "trending": [
        "what's trending", "trending coins", "what are people searching", "hot coins right now",
        "which coins are popular", "what is everyone buying", "trending tokens today",
        "what's hot in crypto land", "most searched coins", "what's buzzing", "what's the hype",
        "tendencias cripto", "que esta de moda", "cryptos en tendance", "was ist angesagt",
        "was trendet", "o que esta em alta", "moedas em tendencia",
    ],
    "movers": [
        "top gainers", "biggest losers", "top {lim} gainers {per}", "what's pumping",
        "what's dumping", "worst performers", "best performers today", "which coins are up the most",
        "which coins are climbing fastest", "who got rekt the most", "top movers", "biggest drops today",
        "what's mooning", "coins falling the most", "biggest winners this week", "top losers in {f}",
        "what is rising fastest", "which coins dropped the most",
        "las que mas suben", "mayores caidas", "les plus fortes hausses", "plus grosses baisses",
        "grosste gewinner", "am meisten gefallen", "maiores altas", "maiores quedas",
    ],
    "fear_greed": [
        "the fear and greed reading", "market sentiment", "how greedy are traders",
        "is the market fearful", "fear greed", "sentiment today", "f&g index",
        "are people scared", "are traders panicking", "how is sentiment",
        "indice de miedo y codicia", "sentimiento del mercado", "indice peur et cupidite",
        "angst und gier", "stimmung am markt", "indice de medo e ganancia",
    ],
    "technical_analysis": [
        "rsi of {c}", "{c} {ind}", "{ind} for {c}", "is {c} overbought", "is {c} oversold",
        "technical analysis of {c}", "should i buy {c}", "should i sell {c}",
        "good time to buy {c}?", "buy signals for {c}", "{c} signals", "is {c} a buy",
        "{c} moving average", "indicators for {c}", "is now a good time to sell my {c}",
        "{c} support and resistance", "bullish or bearish on {c}",
        "deberia comprar {c}", "analisis tecnico de {c}", "dois je acheter {c}",
        "bon moment pour vendre {c}", "soll ich {c} kaufen", "technische analyse {c}",
        "devo comprar {c}", "analise tecnica do {c}",
    ],
    "gas": [
        "gas price", "gas fees", "gas on {ch}", "how much is gas", "{ch} fees", "gwei now",
        "network fees on {ch}", "how expensive is a transaction on {ch}", "tx fees {ch}",
        "is gas cheap", "cost to send a transaction", "how much does a transfer cost on {ch}",
        "fees right now", "gas tracker", "cheap to transact on {ch}?",
        "comisiones de gas", "tarifas en {ch}", "frais de gaz", "frais sur {ch}",
        "gasgebuhren", "gebuhren auf {ch}", "taxas de gas", "taxa na {ch}",
    ],
    "tvl": [
        "{pr} tvl", "tvl of {pr}", "tvl on {ch}", "total value locked in {pr}",
        "how much is locked in {pr}", "defi tvl", "total value locked", "{ch} tvl",
        "how much value is locked on {ch}", "tvl of {pr} on {ch}", "what's the tvl",
        "tvl de {pr}", "valor total bloqueado en {ch}", "tvl du {pr}", "tvl von {pr}",
        "tvl do {pr}",
    ],
    "defi_protocols": [
        "top defi protocols", "list protocols on {ch}", "biggest {cat}", "top {lim} protocols",
        "largest {cat} on {ch}", "{cat} protocols", "rank defi protocols", "which {cat} hold the most",
        "top {cat} by tvl", "defi projects on {ch}", "best {cat}", "protocols ranked by tvl",
        "protocolos defi", "principales protocolos en {ch}", "protocoles defi", "defi protokolle",
        "protocolos de {ch}",
    ],
    "yields": [
        "{c} yields", "where can i stake {c}", "stake {c} on {pr}", "best apy for {c}",
        "{c} staking apy", "lending rates for {c}", "farm {c} on {ch}", "pools above {pct}",
        "stablecoin yields", "best yields on {ch}", "{c} apy on {pr}", "earn interest on {c}",
        "provide liquidity on {pr}", "passive income with {c}", "where to lend {c}",
        "yields above {pct}", "{pr} rates for {c}",
        "rendimientos de {c}", "donde hacer staking de {c}", "rendements {c}", "staker {c}",
        "renditen fur {c}", "wo kann ich {c} staken", "rendimentos de {c}", "onde fazer staking de {c}",
    ],
    "defi_compare": [
        "{pr} vs {pr2}", "compare {pr} and {pr2}", "{pr} or {pr2} which has more tvl",
        "{pr} versus {pr2} rates", "{pr} and {pr2} side by side", "which is bigger {pr} or {pr2}",
        "comparar {pr} y {pr2}", "comparer {pr} et {pr2}", "{pr} oder {pr2}", "{pr} ou {pr2}",
    ],
    "dca": [
        "dca {n} into {c} {iv}", "dca {c}", "simulate buying {n} of {c} {iv} for {per}",
        "what if i bought {n} {f} of {c} {iv}", "dollar cost average into {c} {iv}",
        "backtest {iv} {c} buys of {n}", "{n} {f} of {c} {iv} for the last {per}",
        "if i had put {n} into {c} {iv}", "stack {c} {iv}", "dca {c} {iv} for {per}",
        "recurring buy of {c}", "what would {n} a week in {c} give me",
        "simula un dca de {n} en {c} {iv}", "comprar {n} de {c} cada mes",
        "simuler un dca de {n} sur {c}", "{n} euros par mois dans {c}",
        "sparplan {n} euro in {c} jeden monat", "dca {n} reais em {c} toda semana",
    ],
    "portfolio_show": [
         "show my holdings", "how are my bags doing", "what's my p&l",
        "portfolio value", "how much are my coins worth", "am i up or down",
        "am i making money", "my balance", "my positions", "what do i own", "my portfolio in {f}",
        "net worth", "allocation of my portfolio", "how much have i made",
        "mi cartera cripto", "mis posiciones", "mon portefeuille", "mein portfolio", "mein depot",
        "minha carteira cripto", "meu portfolio",
    ],
    "portfolio_add": [
        "bought {n} {c}", "add {n} {c}", "bought {n} {c} at {n}", "i bought {n} {c} for {n} each",
        "picked up {n} {c}", "add {n} {c} to my portfolio", "record a buy of {n} {c}",
        "grabbed {n} {c} at {n}", "aped {n} {c}", "purchased {n} {c}", "got {n} {c} at {n}",
        "compre {n} {c}", "añade {n} {c}", "j'ai achete {n} {c}", "ajoute {n} {c}",
        "{n} {c} gekauft", "kaufte {n} {c}", "comprei {n} {c}", "adiciona {n} {c}",
    ],
    "portfolio_remove": [
        "sold {n} {c}", "sell {n} {c}", "sold {n} {c} at {n}", "remove {n} {c} from my portfolio",
        "dumped {n} {c}", "offloaded {n} {c}", "cashed out {n} {c}", "ditched {n} {c}",
        "trimmed {n} {c}", "took {n} {c} out", "exited {n} {c} at {n}", "sold all my {c}",
        "vendi {n} {c}", "vendo {n} {c}", "j'ai vendu {n} {c}", "{n} {c} verkauft",
        "verkaufte {n} {c}", "vendi {n} {c} a {n}",
    ],
    "portfolio_risk": [
        "how risky are my holdings", "portfolio risk", "volatility of my holdings",
        "max drawdown of my portfolio", "is my portfolio diversified", "value at risk",
        "correlation of my coins", "my exposure", "risk report", "how volatile are my bags",
        "que tan arriesgada es mi cartera", "riesgo de mi cartera", "risque de mon portefeuille",
        "wie riskant sind meine coins", "risiko meines depots", "risco da minha carteira",
    ],
    "portfolio_optimize": [
        "rebalance my holdings", "optimize my holdings", "suggest an allocation",
        "best allocation for my coins", "how should i divide my holdings", "optimal mix",
        "max sharpe portfolio", "how should i weight my coins", "improve my allocation",
        "optimiza mi cartera", "reequilibrar mi cartera", "optimiser mon portefeuille",
        "optimiere meine coins", "otimizar a minha carteira", "rebalancear carteira",
    ],
    "alert_add": [
        "alert me if {c} drops below {n}", "ping me when {c} hits {n}", "notify me if {c} goes above {n}",
        "set an alert for {c} at {n}", "tell me when {c} reaches {n}", "alert when {c} moves {pct}",
        "buy {c} if it drops to {n}", "stop loss on {c} at {n}", "take profit on {c} at {n}",
        "sell when {c} hits {n}", "warn me if {c} is down {pct}", "let me know if {c} pumps {pct}",
        "{c} below {n} alert", "alert {c} {n}", "wake me up if {c} crashes to {n}",
        "avisame si {c} baja de {n}", "alerta si {c} sube de {n}", "previens moi si {c} depasse {n}",
        "alerte quand {c} atteint {n}", "alarm wenn {c} uber {n} steigt",
        "benachrichtige mich wenn {c} unter {n} fallt", "me avise quando {c} cair abaixo de {n}",
        "alerta quando {c} passar de {n}",
    ],
    "alert_list": [
        "my alerts", "show alerts", "list my alerts", "which alerts do i have", "active alerts",
        "what am i watching", "what am i tracking", "alert {lim} status", "is alert {lim} active",
        "show me alert {lim}", "any alerts set?",
        "ver alertas", "liste des alertes",
        "zeige meine alarme", "minhas alertas", "meus alertas",
    ],
    "alert_remove": [
        "delete alert {lim}", "remove alert {lim}", "cancel my {c} alert", "delete all alerts",
        "erase alert {lim}", "ditch alert {lim}", "nuke all my alerts", "remove the {c} alert",
        "stop watching {c}", "clear all alerts", "get rid of alert {lim}", "kill alert #{lim}",
        "scrap the last alert", "turn off alert {lim}",
        "borra la alerta {lim}", "elimina todas las alertas", "supprime l'alerte {lim}",
        "efface toutes mes alertes", "losche alarm {lim}", "losche alle alarme",
        "apaga o alerta {lim}", "remova todos os alertas",
    ],
    "help": [
        "help", "what are you able to do", "how do i use the app", "what is this tool for", "how does this work",
        "which commands exist", "show me examples", "how do i create an alert", "what can i ask",
        "what are you for", "how do i add a trade", "what does this tool do", "usage",
        "ayuda", "que puedes hacer", "para que sirves", "aide", "tu sers a quoi",
        "que peux tu faire", "hilfe", "was kannst du", "wie benutze ich dich", "ajuda",
        "o que voce pode fazer", "para que serve isso",
    ],
    "smalltalk": [
        "hi", "hello", "hey there", "thanks", "thank you so much", "gm", "good morning",
        "you're a lifesaver", "you rock", "nice one", "lol", "cool thanks", "bye",
        "how are you", "how's it going", "you're the best", "great job", "awesome",
        "hola", "gracias", "bonjour", "merci", "hallo", "danke", "ola", "obrigado",
    ],
    "unknown": [
        "what's the weather tomorrow", "write a poem about love", "who won the match",
        "price of silver", "tesla stock", "translate this to french", "how many calories in an apple",
        "what's 9 times 8", "book a flight to rome", "remind me to call mom at 6",
        "remind me to pay rent", "capital of france", "tell me a joke", "recipe for pancakes",
        "how old is the president", "play some music", "set a timer for 10 minutes",
        "what time is it", "how tall is everest", "write python code to sort a list",
        "best pizza near me", "movie recommendations", "how do i fix my car",
        "what is love", "news today", "how to lose weight", "send an email to my boss",
        "que tiempo hace", "escribe un poema", "quel temps fait il", "ecris une chanson",
        "wie wird das wetter", "schreib ein gedicht", "como esta o tempo", "qual a capital da espanha",
        "tell me a joke about {c}", "write a poem about {c}", "compose a song about {c}",
        "write a story about {c}", "draw the {c} logo", "sing me something about {c}",
        "how do i make money with crypto", "how do i get rich", "write an essay on {c}",
        "translate {c} into spanish", "is {c} a good name for a dog", "how do i cook rice",
        "what's the score of the game", "who is the best football player", "find me a hotel",
        "un chiste sobre {c}", "une blague sur {c}", "ein witz uber {c}", "uma piada sobre {c}",
    ],
}

FILLERS_BEFORE = ["", "", "", "", "hey ", "yo ", "ok ", "so ", "please ", "quick q: ", "hmm "]
FILLERS_AFTER = ["", "", "", "", "?", " pls", " rn", " please", " thanks", " today", "!"]
NUMBERS = ["1", "2", "0.5", "10", "100", "250", "1,000", "1.5k", "2k", "50", "3", "20", "$100",
           "5000", "0.1", "75", "12"]
PERIODS = ["a week", "this month", "the last 3 months", "a year", "30 days", "90d", "6 months",
           "all time", "today", "two weeks", "last year", "ytd"]
INTERVALS = ["weekly", "monthly", "daily", "every week", "every month", "each day",
             "every two weeks", "biweekly", "per week"]
LIMITS = ["3", "5", "10", "20", "7", "12"]
PCTS = ["5%", "10%", "3%", "20 percent", "8%"]


def _pool() -> dict[str, list[str]]:
    coins = sorted({*vocab.COIN_NAMES, *(t.lower() for t in vocab.TICKERS)})
    coins = [c for c in coins if c.isascii() and len(c) > 1]
    fiats = sorted(w for w in vocab.FIAT_WORDS if w.isalpha() and len(w) > 2)
    chains = sorted(set(vocab.CHAIN_NAMES))
    protocols = sorted(p for p in vocab.PROTOCOLS)
    return {"coins": coins, "fiats": fiats, "chains": chains, "protocols": protocols,
            "cats": sorted(vocab.CATEGORIES), "inds": sorted(vocab.INDICATORS)}


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind == 1:
        return word[:i] + word[i + 1:]
    return word[:i] + word[i] + word[i:]


def _fill(template: str, pool: dict[str, list[str]], rng: random.Random) -> str:
    def coin() -> str:
        name = rng.choice(pool["coins"])
        return name.upper() if rng.random() < 0.4 and " " not in name else name

    values = {
        "c": coin(), "c2": coin(), "c3": coin(), "n": rng.choice(NUMBERS),
        "pct": rng.choice(PCTS), "per": rng.choice(PERIODS), "f": rng.choice(pool["fiats"]),
        "ch": rng.choice(pool["chains"]), "pr": rng.choice(pool["protocols"]),
        "pr2": rng.choice(pool["protocols"]), "cat": rng.choice(pool["cats"]),
        "ind": rng.choice(pool["inds"]), "iv": rng.choice(INTERVALS), "lim": rng.choice(LIMITS),
    }
    text = template.format(**values)
    text = rng.choice(FILLERS_BEFORE) + text + rng.choice(FILLERS_AFTER)
    words = text.split(" ")
    if rng.random() < 0.25:
        k = rng.randrange(len(words))
        words[k] = _typo(words[k], rng)
    text = " ".join(words)
    if rng.random() < 0.15:
        text = text.capitalize()
    return text


def corpus(per_intent: int, seed: int) -> list[tuple[str, str]]:
    """(sentence, intent) pairs generated from the templates."""
    rng = random.Random(seed)
    pool = _pool()
    out = []
    for intent, templates in T.items():
        for k in range(per_intent):
            out.append((_fill(templates[k % len(templates)], pool, rng), intent))
    return out


def shape_words(text: str) -> list[str]:
    """The parser's shape of a sentence: what the model is trained and run on."""
    return scan_tokens(tokenize(text)).words


def train(pairs: list[tuple[str, str]], epochs: int, l2: float) -> dict:
    """A softmax regression over sparse features (full-batch gradient descent, numpy/scipy)."""
    import numpy as np
    from scipy import sparse

    intents = list(T)
    vocab_index: dict[str, int] = {}
    rows, cols = [], []
    labels = []
    for r, (text, intent) in enumerate(pairs):
        for feat in features(shape_words(text)):
            cols.append(vocab_index.setdefault(feat, len(vocab_index)))
            rows.append(r)
        labels.append(intents.index(intent))
    x = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                          shape=(len(pairs), len(vocab_index)))
    y = np.zeros((len(pairs), len(intents)), dtype=np.float32)
    y[np.arange(len(pairs)), labels] = 1
    w = np.zeros((len(vocab_index), len(intents)), dtype=np.float32)
    b = np.zeros(len(intents), dtype=np.float32)
    gw2 = np.full_like(w, 1e-8)
    gb2 = np.full_like(b, 1e-8)
    for _ in range(epochs):
        logits = x @ w + b
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        err = (p - y) / len(pairs)
        gw = x.T @ err + l2 * w
        gb = err.sum(axis=0)
        gw2 += gw * gw
        gb2 += gb * gb
        w -= 0.5 * gw / np.sqrt(gw2)
        b -= 0.5 * gb / np.sqrt(gb2)
    acc = float((np.argmax(x @ w + b, axis=1) == np.array(labels)).mean())
    # Each feature's weights as one string "intent:weight ..." so that loading the file makes
    # strings, not thousands of lists the garbage collector would walk on every full pass.
    weights = {}
    for feat, index in vocab_index.items():
        row = " ".join(f"{k}:{float(v):.3g}" for k, v in enumerate(w[index]) if abs(v) >= 0.02)
        if row:
            weights[feat] = row
    return {"intents": intents, "bias": [round(float(v), 3) for v in b], "weights": weights,
            "train_accuracy": round(acc, 4), "sentences": len(pairs)}


def main() -> int:
    """Generate the corpus, fit, and write the weights file."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--per-intent", type=int, default=700)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--epochs", type=int, default=150)
    ap.add_argument("--l2", type=float, default=1e-4)
    ap.add_argument("--corpus", help="also write the generated corpus here (JSONL)")
    ap.add_argument("--out", default=str(MODEL_PATH))
    args = ap.parse_args()
    pairs = corpus(args.per_intent, args.seed)
    if args.corpus:
        with open(args.corpus, "w", encoding="utf-8") as fh:
            for text, intent in pairs:
                fh.write(json.dumps({"text": text, "intent": intent}, ensure_ascii=False) + "\n")
    data = train(pairs, args.epochs, args.l2)
    Path(args.out).write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
    print(f"{data['sentences']} sentences, {len(data['weights'])} features, "
          f"train accuracy {data['train_accuracy']:.3f} -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
