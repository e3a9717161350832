"""General rules found by fresh, unseen sentences: lower-case tickers that are words,
market-overview wording, money words, trade records and unknown protocols in comparisons."""

from __future__ import annotations

from typing import Any

import pytest

from mobius_cli.nl import parse_text


def _check(text: str, intent: str, entities: dict[str, Any]) -> None:
    result = parse_text(text)
    assert result.intent == intent, (text, result)
    for key, value in entities.items():
        assert result.entities.get(key) == value, (text, key, result.entities)


@pytest.mark.parametrize(
    ("text", "intent", "entities"),
    [
        ("gimme ada and dot prices in pounds", "price",
         {"symbols": ["ADA", "DOT"], "vs_currency": "gbp"}),
        ("uni and link quotes", "price", {"symbols": ["UNI", "LINK"]}),
        ("near price pls", "price", {"symbols": ["NEAR"]}),
        ("i just bought 200 link at 14.5", "portfolio_add",
         {"symbols": ["LINK"], "amount": 200, "price": 14.5}),
        ("how did link do against dot this year", "compare",
         {"symbols": ["LINK", "DOT"], "days": 365}),
        ("which did better this month, arb or op", "compare", {"symbols": ["ARB", "OP"]}),
        ("rsi for link", "technical_analysis", {"symbols": ["LINK"], "indicator": "rsi"}),
        ("should i sell my dot", "technical_analysis", {"symbols": ["DOT"]}),
        ("where can i stake dot", "yields", {"symbols": ["DOT"]}),
        ("stop loss on link at 11", "alert_add", {"symbols": ["LINK"], "target": 11}),
        ("did dot outperform atom this month", "compare", {"symbols": ["DOT", "ATOM"]}),
        ("ping me once op hits 3", "alert_add", {"symbols": ["OP"], "target": 3}),
    ],
)
def test_lower_case_word_tickers_in_coin_positions(
        text: str, intent: str, entities: dict[str, Any]) -> None:
    _check(text, intent, entities)


@pytest.mark.parametrize(
    "text",
    ["i will link my wallet later", "connect the dots for me", "it is near the top",
     "one more question"],
)
def test_word_tickers_stay_words_without_evidence(text: str) -> None:
    assert "symbols" not in parse_text(text).entities


@pytest.mark.parametrize(
    ("text", "limit"),
    [("show the 15 biggest coins", 15), ("largest cryptos right now", None),
     ("top coins by size", None), ("the 10 largest tokens", 10)],
)
def test_market_overview_wording(text: str, limit: int | None) -> None:
    result = parse_text(text)
    assert result.intent == "market_overview"
    assert result.entities.get("limit") == limit


@pytest.mark.parametrize(
    ("text", "intent", "key", "value"),
    [
        ("alert me if doge hits 50 cents", "alert_add", "target", 0.5),
        ("convert half a bitcoin to euros", "convert", "amount", 0.5),
        ("what's a grand in eth", "convert", "amount", 1000),
        ("dca 10 bucks into sol every week", "dca", "amount", 10),
        ("convert 5 grand to btc", "convert", "amount", 5000),
    ],
)
def test_money_words(text: str, intent: str, key: str, value: float) -> None:
    result = parse_text(text)
    assert result.intent == intent
    assert result.entities[key] == pytest.approx(value)


def test_half_a_year_stays_a_period() -> None:
    assert parse_text("btc chart for half a year").entities.get("days") == 180


@pytest.mark.parametrize(
    ("text", "intent", "entities"),
    [
        ("sold all 3 of my eth at 4,100", "portfolio_remove",
         {"symbols": ["ETH"], "amount": 3, "price": 4100}),
        ("bought 2 of the sol at 150", "portfolio_add",
         {"symbols": ["SOL"], "amount": 2, "price": 150}),
    ],
)
def test_trade_records(text: str, intent: str, entities: dict[str, Any]) -> None:
    _check(text, intent, entities)


@pytest.mark.parametrize(
    ("text", "protocols"),
    [
        ("aave or spark, which is bigger", ["aave", "spark"]),
        ("aave or spectra, which is bigger", ["aave", "spectra"]),
        ("uniswap vs ekubo", ["uniswap", "ekubo"]),
        ("compare morpho and fluidity", ["morpho", "fluidity"]),
    ],
)
def test_unknown_protocol_beside_a_known_one(text: str, protocols: list[str]) -> None:
    result = parse_text(text)
    assert result.intent == "defi_compare"
    assert result.entities["protocols"] == protocols


def test_unknown_word_beside_a_protocol_without_comparison_is_not_one() -> None:
    assert parse_text("lido and stuff").entities.get("protocols") is None


@pytest.mark.parametrize(
    ("text", "intent"),
    [("who created cardano", "coin_info"),
     ("what coins is everyone talking about", "trending"),
     ("how scared is the market", "fear_greed")],
)
def test_intent_wording(text: str, intent: str) -> None:
    assert parse_text(text).intent == intent


@pytest.mark.parametrize(("text", "intent", "entities"), [
    ("gas price on arbitrum right now", "gas", {"chain": "arbitrum"}),
    ("ethereum gas price", "gas", {"chain": "ethereum"}),
    ("eth price", "price", {"symbols": ["ETH"]}),
    ("how does mobius work", "help", {}),
    ("how do you work?", "help", {}),
])
def test_gas_price_is_fees_and_questions_about_mobius_are_help(text, intent, entities):
    result = parse_text(text)
    assert (result.intent, result.entities) == (intent, entities)


# Neighbours of sentences real users write that the rules once missed: a greeting before a
# real request, buy questions in five languages, "how do I ..." about a feature, chains
# written short beside DeFi words, periods and intervals in several languages, scale words,
# terse alerts, ranked DeFi categories, compliments and creative writing.
PARAPHRASES: list[tuple[str, str, dict[str, Any]]] = [
    ('hey there! I was hoping you could tell me what ethereum is trading for', 'price',
     {'symbols': ['ETH']}),
    ("good morning, sorry to bother, what's solana going for these days?", 'price',
     {'symbols': ['SOL']}),
    ('hello :) could you please let me know the current price of dogecoin? many thanks', 'price',
     {'symbols': ['DOGE']}),
    ('hi! quick one: if i own 3 ether what would that be worth in euros?', 'convert',
     {'amount': 3, 'from': 'ETH', 'to': 'EUR'}),
    ('hey, say I have 500 xrp, how much is that in yen', 'convert',
     {'amount': 500, 'from': 'XRP', 'to': 'JPY'}),
    ('good evening, how is the overall crypto market doing right now?', 'market_overview', {}),
    ('hi, i keep hearing about chainlink, can you explain what it is?', 'coin_info',
     {'symbols': ['LINK']}),
    ("hello, could you show me everything i own and what it's worth?", 'portfolio_show', {}),
    ('hi, how expensive are transactions on polygon right now?', 'gas', {'chain': 'polygon'}),
    ('thanks a lot!', 'smalltalk', {}),
    ('hello, how are you?', 'smalltalk', {}),
    ("you're a star", 'smalltalk', {}),
    ('you rock, thanks', 'smalltalk', {}),
    ('great job mate', 'smalltalk', {}),
    ("you're a genius", 'smalltalk', {}),
    ('is sol a good buy right now', 'technical_analysis', {'symbols': ['SOL']}),
    ('is it a good time to buy ada or should i wait', 'technical_analysis', {'symbols': ['ADA']}),
    ('would eth be a good investment now', 'technical_analysis', {'symbols': ['ETH']}),
    ("do you think it's a good idea to sell my doge?", 'technical_analysis', {'symbols': ['DOGE']}),
    ('Devo comprar bitcoin agora?', 'technical_analysis', {'symbols': ['BTC']}),
    ("Dois-je acheter de l'ethereum maintenant ?", 'technical_analysis', {'symbols': ['ETH']}),
    ('Sollte ich jetzt Solana kaufen?', 'technical_analysis', {'symbols': ['SOL']}),
    ('Dovrei comprare cardano adesso?', 'technical_analysis', {'symbols': ['ADA']}),
    ('¿Debo vender mi XRP?', 'technical_analysis', {'symbols': ['XRP']}),
    ('how do i set up a dca simulation?', 'help', {}),
    ('how can i see my alerts with you', 'help', {}),
    ('how do i delete a holding from my portfolio', 'help', {}),
    ('Como usar o Mobius?', 'help', {}),
    ('Wie benutze ich Mobius?', 'help', {}),
    ('¿Cómo se usa Mobius?', 'help', {}),
    ('how do I bake sourdough bread', 'unknown', {}),
    ('op fees now', 'gas', {'chain': 'optimism'}),
    ('gas on arb?', 'gas', {'chain': 'arbitrum'}),
    ('ton tvl', 'tvl', {'chain': 'ton'}),
    ('uniswap v3 tvl op', 'tvl', {'protocol': 'uniswap-v3', 'chain': 'optimism'}),
    ('usdc apy 8%+ op', 'yields', {'symbols': ['USDC'], 'chain': 'optimism', 'min_apy': 8}),
    ('sui tvl rn', 'tvl', {'chain': 'sui'}),
    ('BTC price over the past 3 months', 'price_history', {'symbols': ['BTC'], 'days': 90}),
    ('how has the price of solana moved in the last year', 'price_history',
     {'symbols': ['SOL'], 'days': 365}),
    ('doge price for the last 2 weeks', 'price_history', {'symbols': ['DOGE'], 'days': 14}),
    ('dca 25/week into eth for 2y', 'dca',
     {'symbols': ['ETH'], 'amount': 25, 'interval_days': 7, 'days': 730}),
    ('what if i had put 50 dollars into btc every week for the last 6 months', 'dca',
     {'symbols': ['BTC'], 'amount': 50, 'interval_days': 7, 'days': 180}),
    ("what if i'd invested 200 bucks in eth each month over the past 2 years", 'dca',
     {'symbols': ['ETH'], 'amount': 200, 'interval_days': 30, 'days': 730}),
    ('Simula un DCA de 50 euros por mes en ethereum durante 2 años', 'dca',
     {'symbols': ['ETH'], 'amount': 50, 'interval_days': 30, 'days': 730}),
    ('Simule un DCA de 20 dollars par semaine sur bitcoin pendant 6 mois', 'dca',
     {'symbols': ['BTC'], 'amount': 20, 'interval_days': 7, 'days': 180}),
    ('2.5 million pepe to usd', 'convert', {'amount': 2500000, 'from': 'PEPE', 'to': 'USD'}),
    ('3 thousand ada in eur', 'convert', {'amount': 3000, 'from': 'ADA', 'to': 'EUR'}),
    ('how much btc could $50k buy', 'convert', {'amount': 50000, 'from': 'USD', 'to': 'BTC'}),
    ('how much sol can i get with 1000 dollars', 'convert',
     {'amount': 1000, 'from': 'USD', 'to': 'SOL'}),
    ('how many doge would $200 get me', 'convert', {'amount': 200, 'from': 'USD', 'to': 'DOGE'}),
    ('biggest pumps today', 'movers', {'direction': 'gainers'}),
    ('worst 10 performers this week', 'movers', {'direction': 'losers', 'limit': 10}),
    ('bottom 3 coins today', 'movers', {'direction': 'losers', 'limit': 3}),
    ('largest drops in the last 24h', 'movers', {'direction': 'losers'}),
    ('how many bitcoins will ever exist', 'coin_info', {'symbols': ['BTC']}),
    ("what's the total supply of dogecoin", 'coin_info', {'symbols': ['DOGE']}),
    ('how many solana tokens exist', 'coin_info', {'symbols': ['SOL']}),
    ("Explique-moi ce qu'est Polkadot", 'coin_info', {'symbols': ['DOT']}),
    ('Erkläre mir Ethereum', 'coin_info', {'symbols': ['ETH']}),
    ('can you explain what avalanche is', 'coin_info', {'symbols': ['AVAX']}),
    ("what's my balance", 'portfolio_show', {}),
    ('how much am i down overall', 'portfolio_show', {}),
    ('am i in profit?', 'portfolio_show', {}),
    ('what are my total gains', 'portfolio_show', {}),
    ('remove all my doge from my portfolio', 'portfolio_remove', {'symbols': ['DOGE']}),
    ('delete SOL from my bags', 'portfolio_remove', {'symbols': ['SOL']}),
    ('drop ada from my portfolio', 'portfolio_remove', {'symbols': ['ADA']}),
    ('how risky is my portfolio', 'portfolio_risk', {}),
    ('¿Qué tan arriesgada es mi cartera?', 'portfolio_risk', {}),
    ('Mon portefeuille est-il risqué ?', 'portfolio_risk', {}),
    ('Wie riskant ist mein Portfolio?', 'portfolio_risk', {}),
    ('rebal ideas for my bags', 'portfolio_optimize', {}),
    ('give me a better allocation for my portfolio', 'portfolio_optimize', {}),
    ('how should i split my holdings', 'portfolio_optimize', {}),
    ('Optimiza mi cartera', 'portfolio_optimize', {}),
    ('Optimise mon portefeuille', 'portfolio_optimize', {}),
    ('Otimize minha carteira', 'portfolio_optimize', {}),
    ('alert eth at 5k', 'alert_add', {'symbols': ['ETH'], 'condition': 'cross', 'target': 5000}),
    ('sol above 300 alert', 'alert_add', {'symbols': ['SOL'], 'condition': 'above', 'target': 300}),
    ('doge below 0.1 alert pls', 'alert_add',
     {'symbols': ['DOGE'], 'condition': 'below', 'target': 0.1}),
    ('new alert: link breaks 25', 'alert_add',
     {'symbols': ['LINK'], 'condition': 'above', 'target': 25}),
    ('alert if dot exceeds 12', 'alert_add',
     {'symbols': ['DOT'], 'condition': 'above', 'target': 12}),
    ('alret me if btc drops below 90k', 'alert_add',
     {'symbols': ['BTC'], 'condition': 'below', 'target': 90000}),
    ('notfiy me when eth is up 10%', 'alert_add',
     {'symbols': ['ETH'], 'condition': 'change_up', 'target': 10}),
    ('unset alert 4', 'alert_remove', {'alert_id': 4}),
    ('deactivate alert #12', 'alert_remove', {'alert_id': 12}),
    ('Supprime toutes mes alertes', 'alert_remove', {'all': True}),
    ('Borra todas mis alertas', 'alert_remove', {'all': True}),
    ('Lösche den Alarm 3', 'alert_remove', {'alert_id': 3}),
    ('Zeige meine Alarme', 'alert_list', {}),
    ('Muestra mis alertas', 'alert_list', {}),
    ('biggest dexes by tvl, top 5', 'defi_protocols', {'category': 'dexes', 'limit': 5}),
    ('top 10 lending protocols by tvl', 'defi_protocols', {'category': 'lending', 'limit': 10}),
    ('which bridges have the most tvl', 'defi_protocols', {'category': 'bridge'}),
    ('best yield aggregators on arbitrum', 'defi_protocols',
     {'category': 'yield', 'chain': 'arbitrum'}),
    ('largest liquid staking protocols', 'defi_protocols', {'category': 'liquid-staking'}),
    ('Wie hoch sind die Gebühren auf Arbitrum?', 'gas', {'chain': 'arbitrum'}),
    ('Quel est le prix du gaz sur Ethereum ?', 'gas', {'chain': 'ethereum'}),
    ('¿Cuánto cuesta el gas en Polygon ahora?', 'gas', {'chain': 'polygon'}),
    ('Quanto estão as taxas de gas na Solana?', 'gas', {'chain': 'solana'}),
    ('rendements des stablecoins sur arbitrum au-dessus de 5%', 'yields',
     {'chain': 'arbitrum', 'min_apy': 5, 'stablecoin': True}),
    ('Renditen für Stablecoins auf Base über 6%', 'yields',
     {'chain': 'base', 'min_apy': 6, 'stablecoin': True}),
    ('rendimentos de staking de ETH', 'yields', {'symbols': ['ETH']}),
    ('write a poem about ethereum', 'unknown', {}),
    ('compose a haiku about dogecoin', 'unknown', {}),
    ('write me a short story about solana', 'unknown', {}),
    ('tell me a joke about bitcoin', 'unknown', {}),
    ("Hey! Hope you're well. Could you give me the latest price for cardano?", 'price',
     {'symbols': ['ADA']}),
    ('good morning! what are the top 10 coins right now?', 'market_overview', {'limit': 10}),
    ('hiya, can you chart bitcoin for the past month please', 'price_history',
     {'symbols': ['BTC'], 'days': 30}),
    ("hello there, what's the fear and greed index today?", 'fear_greed', {}),
    ('hi friend, what are the top gainers today?', 'movers', {'direction': 'gainers'}),
    ("hey, thanks for earlier! now what's the rsi on eth?", 'technical_analysis',
     {'symbols': ['ETH'], 'indicator': 'rsi'}),
    ('thank you! could you also set an alert for btc at 120k', 'alert_add',
     {'symbols': ['BTC'], 'target': 120000}),
    ('hello, I just bought 2 eth at 3000, please add it', 'portfolio_add',
     {'symbols': ['ETH'], 'amount': 2, 'price': 3000}),
    ("hi, what's trending in crypto today?", 'trending', {}),
    ("hey how's it going", 'smalltalk', {}),
    ('cheers mate, very helpful', 'smalltalk', {}),
    ("thanks, that's all for now", 'smalltalk', {}),
    ("what's the price of bitcoin", 'price', {'symbols': ['BTC']}),
    ('did btc drop today', 'price', {'symbols': ['BTC']}),
    ('is now a good moment to buy avax?', 'technical_analysis', {'symbols': ['AVAX']}),
    ('bnb a good buy here?', 'technical_analysis', {'symbols': ['BNB']}),
    ('should i buy more pepe or wait for a dip', 'technical_analysis', {'symbols': ['PEPE']}),
    ('¿Es buen momento para comprar ethereum?', 'technical_analysis', {'symbols': ['ETH']}),
    ('Vale a pena comprar solana agora?', 'technical_analysis', {'symbols': ['SOL']}),
    ('how can i track my portfolio with mobius?', 'help', {}),
    ('how do i compare two coins?', 'help', {}),
    ('how does the alert feature work', 'help', {}),
    ('what commands can i use', 'help', {}),
    ('base fees', 'gas', {}),
    ('what are fees like on base', 'gas', {'chain': 'base'}),
    ('arb tvl', 'tvl', {'chain': 'arbitrum'}),
    ('yields for usdt on op', 'yields', {'symbols': ['USDT'], 'chain': 'optimism'}),
    ('best stablecoin yields above 12% on sui', 'yields',
     {'chain': 'sui', 'min_apy': 12, 'stablecoin': True}),
    ('show me the price of xrp over the last 9 months', 'price_history',
     {'symbols': ['XRP'], 'days': 270}),
    ('ada price last 3 years', 'price_history', {'symbols': ['ADA'], 'days': 1095}),
    ('btc performance for the past 6 months', 'price_history', {'symbols': ['BTC'], 'days': 180}),
    ('how did sol do over the last 2 weeks', 'price_history', {'symbols': ['SOL'], 'days': 14}),
    ('compare btc and eth over the last 6 months', 'compare',
     {'symbols': ['BTC', 'ETH'], 'days': 180}),
    ('dca $100/month into btc over 3 years', 'dca',
     {'symbols': ['BTC'], 'amount': 100, 'interval_days': 30, 'days': 1095}),
    ('if i had bought $20 of doge every day for a year', 'dca',
     {'symbols': ['DOGE'], 'amount': 20, 'interval_days': 1, 'days': 365}),
    ('backtest buying 10 bucks of sol weekly for the last 18 months', 'dca',
     {'symbols': ['SOL'], 'amount': 10, 'interval_days': 7, 'days': 540}),
    ('DCA de 200 euros al mes en bitcoin durante los últimos 3 años', 'dca',
     {'symbols': ['BTC'], 'amount': 200, 'interval_days': 30, 'days': 1095}),
    ("what's 1.5 million doge in usd", 'convert', {'amount': 1500000, 'from': 'DOGE', 'to': 'USD'}),
    ('convert half a million sats to dollars', 'convert', {'from': 'BTC', 'to': 'USD'}),
    ('how much eth can 10 grand buy', 'convert', {'amount': 10000, 'from': 'USD', 'to': 'ETH'}),
    ('2 eth in usd', 'convert', {'amount': 2, 'from': 'ETH', 'to': 'USD'}),
    ('eth in usd', 'price', {'symbols': ['ETH'], 'vs_currency': 'usd'}),
    ('who dumped the most today', 'movers', {'direction': 'losers'}),
    ('top 5 winners this week', 'movers', {'direction': 'gainers', 'limit': 5}),
    ('biggest losers', 'movers', {'direction': 'losers'}),
    ('what is the max supply of cardano', 'coin_info', {'symbols': ['ADA']}),
    ('how many xrp are in circulation', 'coin_info', {'symbols': ['XRP']}),
    ("explain solana to me like i'm five", 'coin_info', {'symbols': ['SOL']}),
    ('Was ist Chainlink?', 'coin_info', {'symbols': ['LINK']}),
    ("Qu'est-ce que Solana ?", 'coin_info', {'symbols': ['SOL']}),
    ('show my portfolio', 'portfolio_show', {}),
    ("what's my pnl today", 'portfolio_show', {}),
    ('what is my net worth in crypto', 'portfolio_show', {}),
    ('how much have i made so far', 'portfolio_show', {}),
    ('Mostra il mio portafoglio', 'portfolio_show', {}),
    ('get rid of xrp from my portfolio', 'portfolio_remove', {'symbols': ['XRP']}),
    ('sold 1 btc at 95k', 'portfolio_remove', {'symbols': ['BTC'], 'amount': 1, 'price': 95000}),
    ('is my portfolio too concentrated', 'portfolio_risk', {}),
    ('how volatile is my portfolio', 'portfolio_risk', {}),
    ('optimise my portfolio', 'portfolio_optimize', {}),
    ('what allocation would you suggest for my holdings', 'portfolio_optimize', {}),
    ('Rebalancea mi portafolio', 'portfolio_optimize', {}),
    ('btc 100k alert', 'alert_add', {'symbols': ['BTC'], 'target': 100000}),
    ('alert: sol below 150', 'alert_add',
     {'symbols': ['SOL'], 'condition': 'below', 'target': 150}),
    ('ping me if near goes above 8', 'alert_add',
     {'symbols': ['NEAR'], 'condition': 'above', 'target': 8}),
    ('set an alarm for eth at 4000', 'alert_add', {'symbols': ['ETH'], 'target': 4000}),
    ('Avísame si bitcoin baja de 80000', 'alert_add',
     {'symbols': ['BTC'], 'condition': 'below', 'target': 80000}),
    ('what alerts do i have', 'alert_list', {}),
    ('delete alert 2', 'alert_remove', {'alert_id': 2}),
    ('remove all alerts', 'alert_remove', {'all': True}),
    ('cancel my btc alert', 'alert_remove', {'symbols': ['BTC']}),
    ('Elimina tutti i miei avvisi', 'alert_remove', {'all': True}),
    ('Apague todos os meus alertas', 'alert_remove', {'all': True}),
    ('top 5 bridges', 'defi_protocols', {'category': 'bridge', 'limit': 5}),
    ('largest lending protocols on base by tvl', 'defi_protocols',
     {'category': 'lending', 'chain': 'base'}),
    ('aave tvl', 'tvl', {'protocol': 'aave'}),
    ('total defi tvl', 'tvl', {}),
    ('aave vs compound', 'defi_compare', {'protocols': ['aave', 'compound']}),
    ('Precio de bitcoin en euros', 'price', {'symbols': ['BTC'], 'vs_currency': 'eur'}),
    ("Quel est le cours de l'ether ?", 'price', {'symbols': ['ETH']}),
    ('Gasgebühren auf Polygon', 'gas', {'chain': 'polygon'}),
    ('Frais de gas sur Arbitrum', 'gas', {'chain': 'arbitrum'}),
    ('Melhores rendimentos de staking para ETH', 'yields', {'symbols': ['ETH']}),
    ('Rendimenti delle stablecoin su Arbitrum sopra il 6%', 'yields',
     {'chain': 'arbitrum', 'min_apy': 6, 'stablecoin': True}),
    ('Die größten DEXs nach TVL', 'defi_protocols', {'category': 'dexes'}),
    ('write a rap song about ethereum', 'unknown', {}),
    ("what's the weather in paris", 'unknown', {}),
    ('who won the game last night', 'unknown', {}),
]


@pytest.mark.parametrize(("text", "intent", "entities"), PARAPHRASES)
def test_paraphrases_of_unseen_requests(text: str, intent: str, entities: dict[str, Any]) -> None:
    _check(text, intent, entities)
