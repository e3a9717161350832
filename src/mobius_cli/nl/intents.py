"""Intent detection: weighted cue patterns, entity evidence, and the tie-break rules."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mobius_cli.nl import langs, vocab
from mobius_cli.nl.entities import Scan, find_phrase
from mobius_cli.nl.gate import Gate, GateIndex, compile_gated
from mobius_cli.nl.text import known_words

INTENTS: tuple[str, ...] = (
    "price", "convert", "market_overview", "coin_info", "price_history", "compare",
    "trending", "movers", "fear_greed", "technical_analysis", "gas", "tvl", "defi_protocols",
    "yields", "defi_compare", "dca", "portfolio_show", "portfolio_add", "portfolio_remove",
    "portfolio_risk", "portfolio_optimize", "alert_add", "alert_list", "alert_remove", "help",
    "smalltalk", "unknown",
)

def _words_re(pattern: str) -> re.Pattern[str]:
    """A pattern compiled once, matched on whole words of the shape (as `_has` does)."""
    return re.compile(rf"(?<![\w&])(?:{pattern})(?![\w&])")


_NEEDS: dict[tuple[str, int], tuple[bool, frozenset[str]]] = {}


# Interval adjectives of every language file, all forms ("weekly", "semanales", "mensuels");
# a bare "daily" is as often a chart's candles as a buying rhythm.
_INTERVALS = "|".join(sorted(langs.interval_words(), key=len, reverse=True))
_INTERVALS_NOT_DAILY = "|".join(sorted((w for w, d in langs.interval_words().items() if d > 1),
                                       key=len, reverse=True))

# "every week", "cada mes", "alle zwei Wochen", "tous les mois": a rhythm.
_EVERY_UNIT = langs.expand(
    r"(?:every|each|per|/|<<every_words>>) (?:(?:other|NUM|two|three|four|<<small_counts>>) )?"
    r"(?:days?|weeks?|months?|fortnight|wk|<<unit_words>>)")

# Patterns run on the sentence's shape: lower-case words, with COIN / CHAIN / PROTO / FIAT
# for names, NUM / PCT for numbers and PERIOD for "30d". Weights: 4 decisive, 3 strong,
# 2 medium, 1 a hint.
_RAW_CUES: dict[str, tuple[tuple[str, int], ...]] = {
    "price": (
        (r"prices?|quotes?|quote me|pricing", 3),
        (r"how (?:is|s|are) COIN(?: COIN)* (?:looking|doing)", 3),
        (r"trading at|trade at|what is (?:the )?COIN(?: COIN)* at|how much is (?:a |one )?COIN|"
         r"cost|costs|going for|COIN worth", 3),
        (r"value of COIN|COIN now|COIN today|COIN \?|how much for COIN", 1),
        (r"how much (?:is|are|does|do|s) (?:it|that|this|they|those|one)(?: (?:cost|go for|"
         r"trade at|worth|now|today|rn))?(?: \?)? $", 3),
        (r"(?:selling|going|trading|changing hands|sell|sells|go) for|<<how_much_is>>", 3),
        (r"going rate|rate (?:for|of) (?:a |one )?COIN|COIN (?:exchange )?rate", 2),
    ),
    "convert": (
        (r"convert|conversion|converter|<<convert_verbs>>|exchange rate", 4),
        (r"how many (?:COIN|FIAT) (?:do|would|can|will|is|are|for)|how many (?:COIN|"
         r"FIAT) (?:i )?(?:get|buy)", 4),
        (r"(?:NUM|PCT) (?:COIN|FIAT) (?:to|in|into|en|em|for|in terms of) (?:COIN|FIAT)", 4),
        (r"(?:NUM) (?:COIN|FIAT) (?:is )?worth in|NUM (?:COIN|FIAT) is (?:\? |"
         r"how much )?(?:in )?(?:COIN|FIAT)", 4),
        # "what is 3 eth worth", "how much are 2 btc worth": an amount's value
        (r"NUM COIN (?:is |are )?worth|worth of NUM COIN|value of NUM COIN", 5),
        (r"NUM (?:in|to|into|en|em) (?:COIN|FIAT)", 3),
        (r"NUM (?:COIN|FIAT) (?:\w+ ){1,3}(?:in|into|en|em) (?:COIN|FIAT)", 3),
        (r"turn NUM|NUM (?:COIN|FIAT) (?:is|are|would be) how|if i (?:have|had|own|owned|hold|"
         r"held|sold) NUM (?:COIN|FIAT)", 2),
        # "12 ltc ... how much would that be in pounds", "how much eth could $3m buy"
        (r"(?:how much|what) (?:would|is|are|will|does|do) (?:that|it|this|those|these|"
         r"they) (?:\w+ )?(?:be )?(?:worth )?(?:in|en|em) (?:COIN|FIAT)|how (?:much|"
         r"many) (?:COIN|FIAT) (?:could|can|would|will|does|do|did) NUM (?:\w+ )?(?:buy|get)|"
         r"how (?:much|many) (?:COIN|FIAT) (?:is|are|for|equals?|makes?|would|will|could|"
         r"do i get for) (?:be )?NUM|how (?:much|many) (?:COIN|FIAT) (?:can|could|would|"
         r"will) (?:i )?(?:buy|get) (?:with|for) NUM|NUM (?:COIN|FIAT) (?:gets|"
         r"buys) (?:me )?how", 5),
    ),
    "market_overview": (
        (r"market overview|overview|dominance|total market|market cap(?:italization)?|"
         r"the market|crypto market|markets|(?:cryptocurrency|overall|whole|entire|global|"
         r"general) market", 3),
        (r"top NUM (?:coins?|cryptos?|cryptocurrencies|tokens?|assets?|"
         r"<<crypto_nouns>>)|(?:coins?|cryptocurrencies) by market|"
         r"(?:biggest|largest|top|main|leading|major|best) (?:NUM )?(?:crypto )?(?:coins?|"
         r"cryptos?|cryptocurrencies|tokens|assets)(?! (?:gaining|losing|gainers|losers|today|"
         r"this))|(?:coins?|cryptos?|cryptocurrencies|tokens) by (?:size|market value|mcap|"
         r"market cap|cap|value)", 4),
        # The market's colour: "everything is red", "crypto bleeding", "market pumping".
        (r"(?:everything|crypto|the market|market|it all|all) (?:is |s )?(?:bleeding|red|green|"
         r"pumping|dumping|crashing|mooning|tanking)", 2),
        (r"how (?:is|are) (?:the )?(?:crypto|cryptos|cryptocurrencies|crypto space|"
         r"crypto market|markets?|space) (?:\w+ )?(?:doing|looking|going|holding up|performing|"
         r"today|now)|crypto (?:\w+ ){0,2}overall|overall (?:crypto|state)|"
         r"state of (?:the )?(?:crypto|markets?)|(?:crypto|the market) (?:in general|"
         r"as a whole)", 4),
        (r"^ (?:top|largest|biggest) NUM (?:\? )?$", 4),
        (r"cryptocurrencies", 1),
    ),
    "coin_info": (
        (r"^ (?:so |and |ok )?(?:what is|what are|what s|who is|"
         r"<<what_is>>) (?:a |an |"
         r"the )?COIN(?: coin| token| crypto| network)?(?: \?)? $|tell me about|info (?:on|"
         r"about|for)|information|details|facts about", 4),
        (r"all time high|all time low|atl|rank(?:ed|ing)?|website|whitepaper|white paper|links?"
         r"|homepage|explorer|circulating|supply|mined|max supply|founded|founders?|"
         r"who (?:created|made|invented|founded|started|built|runs|is behind)|team behind|"
         r"created by|who made|what does COIN do|use case|tokenomics", 3),
        (r"how (?:does|do) COIN (?:really |actually )?work|how COIN works", 4),
        (r"explain|<<explain_words>>|called COIN|what (?:it|that|"
         r"this) (?:\w+ )?is|what is (?:it|that|this|COIN)(?: exactly| actually| really|"
         r" all about)? \?|(?:<<what_is_named>>|"
         r"what exactly is|what actually is) COIN|how many (?:COIN )?(?:coins? |"
         r"tokens? )?(?:are there|exist|will (?:there )?(?:ever )?(?:be|exist)|"
         r"are in circulation)|(?:are there|exist) in total|total supply|in existence", 3),
    ),
    "price_history": (
        (r"charts?|plot|graph|history|historical|candles?|ohlc|sparkline", 5),
        (r"ytd|year to date|since (?:january|the start of the year)", 3),
        (r"how (?:did|has|have) COIN (?:do|did|done|performed?)|how COIN (?:did|has done|"
         r"performed)|COIN (?:over|in|during) (?:the )?(?:last|past)", 3),
        (r"performance|performed", 1),
        (r"(?:(?:over|in|during|for|across|throughout) )?(?:the )?(?:last|past|"
         r"previous) (?:NUM |few |couple (?:of )?)?(?:days?|weeks?|months?|years?|quarters?)|"
         r"(?:last|past) PERIOD|(?:has|have) (?:moved|changed|evolved|developed|trended)|"
         r"price (?:action|movement|evolution|trend)", 2),
    ),
    "compare": (
        (r"compare|comparison|comparing|side by side|stack up|stacks up|vs|head to head|"
         r"outperform(?:ed|s)?|which (?:did|does|is|was|one|performed) (?:better|best|stronger)|"
         r"better investment|<<compare_verbs>>|which (?:one |dex |protocol |coin |token |chain |"
         r"platform |exchange |of (?:them|the two) )?(?:is|s|has|have|was|does|did|gets|got|"
         r"makes|made|holds|pays) (?:more|higher|bigger|larger|better|safer|stronger|cheaper|"
         r"lower|less|the most|the best|the biggest|the higher|the larger)", 4),
        (r"(?:COIN|PROTO) or (?:COIN|PROTO)|better|best", 1),
    ),
    "trending": (
        (r"trending|trends?|searched|searching|searches|buzz(?:ing)?|hype|hot(?:test)?|popular|"
         r"talking about|talked about|everyone (?:is )?(?:buying|talking|watching)|(?:twitter|"
         r"ct|reddit) (?:is )?(?:shilling|talking)", 4),
    ),
    "movers": (
        (r"gainers?|losers?|movers?|mooning|moon(?:ing)?|pumping|dumping|winners|rekt|(?:best|"
         r"worst|top|biggest) (?:NUM )?perform(?:ing|ers?|ance)|worst|(?:dropped|fell|rose|"
         r"gained|pumped|dumped|lost|crashed|jumped|moved) the most|(?:up|down) the most|"
         r"(?:biggest|largest|top|worst|heaviest) (?:gains|drops|losses|jumps|moves|dumps|pumps"
         r"|dumpers|pumpers|falls|fallers|decliners|risers)|bottom (?:NUM )?(?:perform\w*|"
         r"coins?|movers|tokens)|(?:biggest|largest|worst|heaviest) (?:crashes|tanks|bleeders|"
         r"plunges)|(?:coins?|tokens|cryptos?|what|which|who) (?:is |are |s )?(?:tanking|"
         r"crashing|plunging|bleeding|surging|rallying|ripping)|(?:<<big_words>>) "
         r"(?:<<move_nouns>>)|laggards|underperformers|"
         r"decliners", 4),
    ),
    "fear_greed": (
        (r"fear|greed|sentiment|f&g|fearful|greedy|fng|scared|panick?(?:ing|ed)?|euphori[ac]", 4),
    ),
    "technical_analysis": (
        (r"rsi|macd|bollinger|sma|ema|moving averages?|bbands|stoch(?:astic)?|ichimoku|"
         r"technical|analysis|ta|indicators?|signals?|overbought|oversold|support|resistance|"
         r"bullish|bearish|breakout", 4),
        (r"should i (?:buy|sell|ape|get|dump|hold|invest)|good time to (?:buy|sell|get|enter|"
         r"exit)|time to (?:buy|sell)|buy or sell|(?:buy|sell) signal|entry point|"
         r"is COIN a (?:buy|sell)|worth buying", 7),
        (r"(?:a )?good (?:buy|investment|entry|bet)|(?:good|right|best) (?:idea|moment|time|"
         r"point) to (?:buy|sell|get|invest|enter|exit|ape|take profits?|cash out|hold|dump)|"
         r"too (?:late|early) to (?:buy|sell|get in|ape)|(?:<<good_words>>|good|"
         r"right) (?:<<moment_words>>|time)(?: (?:\w+|,)){0,4} (?:<<buy_sell_verbs>>)|(?:buy|sell|"
         r"invest)(?: \w+){0,4} or (?:should i )?(?:wait|hold)|should i wait|worth (?:it|"
         r"getting)|(?:<<should_words>>)(?: \w+){0,3} (?:<<buy_sell_verbs>>|<<invest_verbs>>)", 7),
    ),
    "gas": (
        (r"gas|gwei|network fees?|transaction fees?|tx fees?|gas fees?|fees|fee|"
         r"transactions? (?:cost|costs|fees)|(?:cheap|expensive|pricey) to (?:transact|send|"
         r"bridge)|transactions.*expensive|costo del gas|custo do gas", 4),
        (r"(?:expensive|cheap|pricey|costly) (?:is|are|to do) (?:an? |the )?(?:transactions?|"
         r"transfers?|tx|sending|swaps?)|how much (?:does|would|will|do) (?:it cost to|"
         r"(?:an? transactions?|an? transfer|an? tx|an? swap|transactions?) cost)", 5),
        (r"(?:send|make|do) an? (?:transaction|transfer|tx)|cost to (?:send|transact|bridge|"
         r"swap|transfer|move)", 5),
        # what an action costs, either way round: "what does a transfer cost", "cost of a swap"
        (r"(?:transfers?|swaps?|tx|txs|transactions?|bridging) (?:\w+ )?(?:cost|costs|fee|fees)"
         r"|(?:cost|costs|fee|fees|price) (?:of|for) (?:an? |the |one )?(?:transfer|swap|tx|"
         r"transaction|bridge)", 5),
        # "gas price" is about fees, not a coin's price.
        (r"gas (?:prices?|costs?|fees?|now|today|right now)|(?:<<price_nouns>>|<<cost_nouns>>) "
         r"(?:(?:<<of_words>>|of|the) )?(?:gas|<<gas_nouns>>)|(?:<<cost_verbs>>) "
         r"(?:(?:<<articles>>) )?(?:gas|<<gas_nouns>>)", 4),
    ),
    "tvl": (
        (r"tvl|total value locked|value locked|locked in|locked on|locked up", 5),
    ),
    "defi_protocols": (
        (r"protocols|protocol list|list (?:of )?(?:defi )?protocols|defi protocols|"
         r"protocols? (?:by|ranked)|<<protocol_nouns>>", 3),
        (r"(?:lending|dexs|dexes|dex|bridges|derivatives|restaking|liquid staking|"
         r"yield aggregators?|perps|cdps?|exchanges|money markets|lsts?) (?:protocols|platforms"
         r"|on CHAIN|on COIN|rn|now|\?|hold|by)|(?:biggest|largest|top|best|main|"
         r"leading) (?:NUM )?(?:lending|dexs|dexes|dex|bridges|derivatives|restaking|"
         r"liquid staking|yield aggregators?|perps|exchanges|money markets|lsts?)|"
         r"which (?:bridges|dexs|dexes|lending|protocols|exchanges).*(?:hold|most|biggest)", 4),
        (r"top (?:NUM )?defi|defi (?:protocols|projects|apps)|rank", 2),
    ),
    "yields": (
        (r"yields?|apy|apr|stake|staking|staked|<<stake_verbs>>|farm|farms|farming|"
         r"pools?|lending rates?|borrow(?:ing)? rates?|interest|earn|passive income|liquidity|"
         r"lend|lending", 3),
        (r"rates?", 1),
        (r"(?:supply|supplying|supplied|deposit|depositing|deposited|lend|lending|park|parking|"
         r"put|putting|provide|providing) (?:my |some |NUM |PCT )?(?:COIN|FIAT|stables|"
         r"stablecoins)(?: COIN)? (?:to|into|in|on|at|with) (?:COIN|PROTO|CHAIN)", 4),
        (r"where can i (?:stake|farm|lend|earn|put)|best (?:apy|yield|rate)|rates? (?:can i get"
         r"|on|for lending|for staking)", 2),
    ),
    "dca": (
        (r"dca|dollar cost|cost averag(?:e|ing)|stack(?:ing)? (?:COIN|sats)|backtest|simulate|"
         r"what if i (?:had )?(?:bought|invested|put)|if i had (?:bought|invested|put)|"
         r"recurring buy|what if i (?:would |would have |had )?(?:bought|invested|put|spent)|"
         r"simula\w*|simule\w*", 5),
        (r"(?:put|putting|invest|investing|buy|buying|spend|spending|throw|throwing|stack|"
         r"stacking|adding) .*(?:every|each|per|a|/|<<per_words>>) (?:day|week|month|"
         r"fortnight|wk|<<unit_singular>>)", 3),
        (rf"(?:{_INTERVALS}) (?:\w+ ){{0,2}}NUM|"
         rf"NUM (?:\w+ ){{0,2}}(?:{_INTERVALS})|NUM (?:\w+ )?(?:every|"
         r"each|per|a|/) (?:other )?(?:day|week|month|two weeks|fortnight|wk)", 3),
        (rf"{_EVERY_UNIT}|{_INTERVALS_NOT_DAILY}", 2),
    ),
    "portfolio_show": (
        (r"portfolio|holdings|pf|bags?|my crypto|p&l|profit and loss|allocation|net worth|"
         r"my positions|<<portfolio_nouns>>|my stack|my coins", 3),
        (r"balances?|(?:account|portfolio|total|overall) (?:value|worth)|(?:everything|what|"
         r"all) i (?:\w+ )?(?:hold|own)|how (?:much|many) (?:COIN )?(?:do|"
         r"did) i (?:\w+ )?(?:hold|own)|am i (?:up|down|in profit|in the red|in the green|"
         r"making money|losing money)|how much (?:am i|have i|did i) (?:up|down|made|make|lost|"
         r"lose|gained)|my (?:total |overall |unrealized |realized )?(?:gains|profits?|losses|"
         r"returns)|how much (?:is|are) (?:all )?my (?:\w+ )?worth", 3),
    ),
    "portfolio_add": (
        (r"bought|buy|purchased?|picked up|pick up|aped|ape|grabbed|acquired|add|added|"
         r"record a buy|got NUM", 3),
    ),
    "portfolio_remove": (
        (r"sold|sell|sale|remove|removed|dumped|took profits?|offloaded|trimmed|exited"
         r"|cashed out", 3),
        (r"(?:delete|erase|drop|get rid of|take|clear|wipe) (?:\w+ ){0,3}(?:from|out of|"
         r"off) (?:my |the )?(?:portfolio|holdings|bags?|pf|positions)", 3),
    ),
    "portfolio_risk": (
        (r"risk|risky|riskiness|volatility|volatile|value at risk|var|drawdown|diversified|"
         r"diversification|concentrated|concentration|correlation|correlated|exposure|beta|"
         r"volatil\w*", 4),
    ),
    "portfolio_optimize": (
        # "what should my allocation be", "how should my split look"
        (r"(?:should|would|ought) (?:my|the|our) (?:allocation|split|mix|weights?|weighting"
         r"|distribution) (?:be|look)", 5),
        (r"rebalance|rebalancing|optimi[sz]e|optimi[sz]ation|optimal|sharpe|efficient frontier|"
         r"ideal allocation|best allocation|what percentage|how much of each|suggest (?:an |"
         r"a )?(?:allocation|mix)|weights|better (?:split|allocation|mix|distribution|balance|"
         r"weighting|spread)|(?:allocation|split|mix|weighting) (?:\w+ ){0,3}(?:suggest|"
         r"recommend|propose)|(?:suggest|recommend|propose) (?:\w+ ){0,2}(?:allocation|split|"
         r"mix|weighting)|what (?:allocation|split|mix|weights?|weighting|"
         r"percentages?) (?:should|would|do) (?:i|we|you)|how (?:should|do|can|"
         r"would) i (?:re)?(?:split|allocate|divide|spread|weight|distribute|balance|shuffle|"
         r"arrange|organi[sz]e)|(?:re ?allocat|redistribut|reweight|reshuffl|re ?balanc)\w*|"
         r"(?:rebalanc|optimi[sz]|ottimizz|otimiz|optimier|reequilibr|ribilanci|rebalance)\w*", 5),
    ),
    "alert_add": (
        (r"alert me|notify|notification|let me know|ping me|ping (?:when|if|once|whenever)|"
         r"tell me (?:if|when)|warn me|lmk|remind me|wake me|set (?:an? |"
         r"up an? )?(?:price )?alert|create (?:an? )?(?:price )?alert|new alert|"
         r"add (?:an? )?alert|alert (?:when|if|for|on)|<<notify_words>>|(?:<<tell_me>>) "
         r"(?:<<when_words>>)", 5),
        # The bare noun beside a coin and a price: "alert btc at 100k", "xrp under 1.5 alert".
        (r"(?:alert|alarm|<<alarm_nouns>>) .*(?:NUM|PCT)|(?:NUM|PCT) .*(?:alert|alarm|"
         r"<<alarm_nouns>>)", 3),
        (r"stop loss(?:es)?|take profit|take profits .*(?:NUM|PCT)|(?:buy|sell|ape|"
         r"dump) .*(?:if|when|once) .*(?:NUM|PCT)|(?:if|when|once|whenever|as soon as) (?:COIN|"
         r"it) .*(?:NUM|PCT) .*(?:buy|sell|ape|dump|exit|cash out|take profits?|get out|bail)", 5),
    ),
    "alert_list": (
        (r"(?:show|list|view|see|display|what|which|my|active|any|current|"
         r"<<show_verbs>>) (?:\w+ )?(?:price )?ALERTS|ALERTS (?:do i have|are|"
         r"have i|i have|i ve|set|active|\?)|ALERT (?:list|overview|status|summary)|(?:list|"
         r"show|view) (?:of )?(?:my )?ALERT", 5),
    ),
    "alert_remove": (
        (r"(?:delete|remove|cancel|clear|rm|nuke|drop|kill|stop|disable|turn off|get rid of|"
         r"unset|deactivate|mute|silence|wipe|purge|reset|(?:<<remove_stems>>)\w*) .*ALERT|"
         r"ALERT (?:delete|remove)", 6),
        # Alerts are the only numbered things: "delete #4", "kill number 2".
        (r"(?:delete|remove|cancel|clear|rm|nuke|drop|kill|disable|unset) (?:# |number |no |id "
         r"|nr )NUM", 6),
        # The one shared list of remove verbs (every language file's `remove_verbs`).
        (r"(?:<<remove_verbs>>) (?:\w+ ){0,3}ALERT|(?:<<remove_verbs>>) (?:\w+ )?ALERT (?:# )?NUM"
         r"|(?:<<remove_verbs>>) (?:the )?(?:last|latest|previous|newest|most recent)"
         r"(?: one| alert)?", 6),
    ),
    "help": (
        (r"^ (?:help|halp|<<help_words>>) |what can you do|what can i ask|how do i use|"
         r"how to use|commands|examples|usage|how does (?:this|it|mobius|the \w+) (?:thing |"
         r"tool |app )?work|how do you work|what is mobius|who are you|explain how|what are you"
         r"|how do i (?:set|add|create|use|remove|delete|track)|how can i (?:set|add|create|"
         r"use)|features?|tutorial|manual|\?help|how (?:do|does) (?:the |my |your |"
         r"price )?(?:alerts?|alarms?|notifications|portfolio|tracking|dca|charts?|conversions?"
         r"|watchlist|commands?|context|follow ups?) (?:\w+ )?work|(?:<<what_words>>) "
         r"(?:(?:<<you_words>>) )?(?:<<can_words>>)(?: (?:<<you_words>>))? (?:<<do_verbs>>)", 5),
        (r"help|halp", 3),
        (r"mobius|with you|using you|in here|on here", 2),
        (r"(?:what|which) (?:kind of |kinds of |sort of |type of |types of )?(?:questions|"
         r"things|stuff|commands)(?: \w+)? (?:can|could|do|should|may) i (?:ask|say|type|do|use"
         r"|run)|how do (?:you|we|one) use|command", 5),
    ),
    "smalltalk": (
        (r"^ (?:hi|hello|hey|yo|sup|gm|gn|good (?:morning|evening|night|afternoon|day)|thanks|"
         r"thank you|ty|cheers|bye|goodbye|see you|how are you|nice|cool|lol|great|awesome|"
         r"<<thanks_words>>|wassup|howdy|how (?:is|s) it going|"
         r"how (?:are|re) (?:things|you doing)|how (?:have|ve) you been|how you doing|"
         r"what is up|whats up|how is (?:your|ur) day|how is life|"
         r"you are (?:awesome|great|the best|amazing|cool))\b", 3),
        (r"thank|thanks|awesome|good bot|love you|appreciate", 2),
        # Compliments: "you're a legend", "you rock", "nice work".
        (r"you (?:are|re) (?:a |an |the |so |such a |really )?(?:legend|star|genius|hero|champ|"
         r"lifesaver|life saver|gem|rockstar|beast|goat|best|awesome|great|amazing|brilliant|"
         r"helpful|cool|smart|fantastic|wonderful|superb|king|queen)|you rock|you rule|(?:good|"
         r"great|nice|awesome) (?:job|work|stuff)|well done|love (?:this|it|you)|"
         r"(?:<<thanks_words>>)", 4),
    ),
    "unknown": (
        (r"weather|recipe|poem|song|joke|translate|python|javascript|bash|script|function|code|"
         r"nba|nfl|football|soccer|league|finals|match|movie|film|who won|capital of|president|"
         r"essay|homework|cook|bake|game tonight|playing|lyrics|horoscope|stock market|"
         r"restaurant|flight|hotel|haiku|sonnet|limerick|rhyme|short story|fairy tale|"
         r"bedtime story|love letter|celsius|fahrenheit|kelvin|kilometers?|kilometres?|km|miles"
         r"|kilograms?|kg|lbs|ounces|inches|feet|meters?|metres?|liters?|litres?|gallons|"
         r"mortgage|insurance|savings account|bank account|credit card|student loan|car loan|"
         r"home loan|tax return|salary", 6),
    ),
}
# "which coins pumped hardest", "what fell the most", "welche sind am meisten gestiegen": a
# verb of rising or falling and a most-word, from the language files, ranks the movers.
_MOVERS_MOST = langs.mover_pattern()
_RAW_CUES["movers"] = ((f"{_RAW_CUES['movers'][0][0]}|{_MOVERS_MOST}", 4),
                       *_RAW_CUES["movers"][1:])
_MOVERS_MOST_RE = _words_re(_MOVERS_MOST)
_MOVER_NOUNS_RE = _words_re(r"gainers?|losers?|movers?|winners|performers|top NUM")
# Alert nouns of every language file, for the list and remove cues (ALERT in a pattern is
# any of them; ALERTS the plural forms).
_ALERT_NOUNS = "(?:" + "|".join(re.escape(w) for w in langs.alert_nouns()) + ")"
_ALERTS_PLURAL = "(?:" + "|".join(re.escape(w) for w in langs.alert_nouns()
                                  if w.endswith(("s", "i", "en", "me"))) + ")"

def _remove_verbs() -> str:
    verbs = sorted(langs.remove_verbs(), key=len, reverse=True)
    return "|".join(re.escape(v) for v in verbs)


def _plain_removals() -> str:
    """Remove verbs that are no alert direction ("drop", "lose" also say where a price goes)."""
    directions = {w for kind in ("above", "below", "cross", "up", "down")
                  for w in langs.condition_words(kind)}
    verbs = sorted(langs.remove_verbs() - directions, key=len, reverse=True)
    return "|".join(re.escape(v) for v in verbs)


# The one shared list of remove verbs (every language file's `remove_verbs`) deletes alerts:
# "erase alert 6", "ditch my eth alert", "borra la alerta 4".
_RAW_CUES["alert_remove"] = (*_RAW_CUES["alert_remove"], (
    rf"(?:{_remove_verbs()}) (?:(?:\w+ ){{0,3}}ALERT|(?:the )?(?:last|latest|previous|newest"
    r"|most recent)(?: one| alert)?|(?:# |number |no |id |nr )NUM)", 6),
    # the alert named first, the verb after: "alert 4 is annoying, delete it", "alert #9 -
    # remove pls", "alarma 3 borrar" (a direction word such as "drop" is no removal here)
    (rf"ALERT (?:# |number |no |id |nr )?NUM .*(?:{_remove_verbs()}) (?:it|that|this|him|her)"
     rf"\b|ALERT (?:# |number |no |id |nr )?NUM (?:\S+ ){{0,4}}(?:{_plain_removals()})\b", 7))


def _alternation(words: object) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))  # type: ignore


# A condition on a coin's price is something to watch, whatever opens the sentence ("heads
# up if ADA exceeds 1.2", "falls ETH unter 2000 fällt"): a conditional word of any language,
# the coin, a direction word of any language and the figure (the verb before or after it).
_DIRECTIONS = _alternation({w for kind in ("above", "below", "cross", "up", "down")
                            for w in langs.condition_words(kind)} - {"is", "at", "@", "get",
                                                                     "gets"})
_CONDITIONALS = _alternation(langs.conditionals())
# Greetings of every language file open small talk ("hiya mate", "servus", "buenas").
_first, *_rest = _RAW_CUES["smalltalk"]
_RAW_CUES["smalltalk"] = (
    (rf"{_first[0]}|^ (?:{_alternation(langs.greetings())})\b", _first[1]), *_rest)
_ARTICLE = rf"(?:(?:{_alternation(langs.articles())}) )?"
_NEEDS[("alert_add", len(_RAW_CUES["alert_add"]))] = (True, frozenset(
    w.split()[0] for w in langs.conditionals()))
_RAW_CUES["alert_add"] = (*_RAW_CUES["alert_add"], (
    rf"(?:{_CONDITIONALS}) {_ARTICLE}(?:COIN|it|price of COIN|COIN price) (?:\w+ ){{0,2}}"
    rf"(?:{_DIRECTIONS})(?: \w+){{0,2}} (?:NUM|PCT)|(?:{_CONDITIONALS}) {_ARTICLE}(?:COIN|it) "
    rf"(?:\w+ ){{0,2}}(?:NUM|PCT) (?:{_DIRECTIONS})", 5))


def _with_languages(table: dict[str, tuple[tuple[str, int], ...]]) -> None:
    """Add the language files' cues. Each joins the first pattern of the same intent and
    weight (for another language: where its words stood before they moved to its file), so
    a sentence scores as one pattern's worth and the parser runs one search per pattern, not
    one per language; a weight the table lacks becomes a pattern of its own."""
    for intent, pairs in langs.cues().items():
        rows = list(table.get(intent, ()))
        for pattern, weight in pairs:
            at = next((i for i, (_, w) in enumerate(rows) if w == weight), None)
            if at is None:
                rows.append((pattern, weight))
            else:
                rows[at] = (f"{rows[at][0]}|{pattern}", weight)
        table[intent] = tuple(rows)


_with_languages(_RAW_CUES)
# Word lists of the languages named in the patterns ("<<remove_verbs>>", "<<price_nouns>>").
for _intent, _rows in _RAW_CUES.items():
    _RAW_CUES[_intent] = tuple((langs.expand(pat), w) for pat, w in _rows)

# Rows that can only match with a figure in the sentence (NUM / PCT) and, if given, one of
# a few words: (needs a figure, words) by (intent, row).
_NEEDS[("dca", 2)] = (True, frozenset())
_NEEDS[("dca", 3)] = (False, frozenset(
    {"every", "each", "per", "/"} | {w.split()[0] for w in langs.words("every_words")}
    | {w for w, d in langs.interval_words().items() if d > 1}))
CUE_NEEDS: dict[str, tuple[tuple[bool, frozenset[str]] | None, ...]] = {
    intent: tuple(_NEEDS.get((intent, i)) for i in range(len(rows)))
    for intent, rows in _RAW_CUES.items() if any(key[0] == intent for key in _NEEDS)}
# Each pattern is compiled with its gate (gate.py: the text its every match must begin with),
# so that `score` searches only the patterns a sentence can match.
_COMPILED = {
    intent: tuple((compile_gated(rf"(?<![\w&])(?:{pat})(?![\w&])".replace(
        "ALERTS", _ALERTS_PLURAL).replace("ALERT", _ALERT_NOUNS)), w) for pat, w in cues)
    for intent, cues in _RAW_CUES.items()
}
CUES: dict[str, tuple[tuple[re.Pattern[str], int], ...]] = {
    intent: tuple((pattern, w) for (pattern, _), w in rows) for intent, rows in _COMPILED.items()
}
# Every cue has a number, its place in CUES read in order; the gates' index uses it.
_CUE_GATES: list[Gate | None] = [gate for rows in _COMPILED.values() for (_, gate), _ in rows]
CUE_INDEX = GateIndex(_CUE_GATES)
# By cue number: (intent, pattern, weight, what the row needs or None).
_CUE_ROWS: list[tuple[str, re.Pattern[str], int, tuple[bool, frozenset[str]] | None]] = [
    (intent, pattern, weight, CUE_NEEDS[intent][i] if intent in CUE_NEEDS else None)
    for intent, rows in CUES.items() for i, (pattern, weight) in enumerate(rows)]
DEFI_WORDS = re.compile(r" (?:tvl|protocols?|dex|dexs|fees|rates?|apy|yields?|lending|perps?"
                        r"|locked|defi) ")


# Plural nouns of DeFi categories: naming one asks for a list of protocols.
_CATEGORY_NOUNS = (r"bridges|dexe?s|yield aggregators|lsts|money markets|cdps|lending protocols"
                   r"|lending platforms|lenders|perp dexe?s|derivatives protocols|restaking "
                   r"protocols|liquid staking protocols|amms")
# Words that ask for a ranking, every language ("leaderboard", "ranked by", "classement").
_RANKING = "|".join(re.escape(w) for w in langs.ranking_words())


_PROTOCOL_WORDS = _words_re(langs.expand("protocols?|<<protocol_nouns>>|defi|dapps|platforms"))


def _ranked_kind(scan: Scan) -> bool:
    """Whether a sentence names a kind of protocol to rank: a category ("lending", "perps",
    "staking liquide"; "yield" alone asks for yields) or protocols / DeFi as a whole."""
    category = find_phrase(scan, vocab.CATEGORIES)
    if category and not (category == "yield" and not _has(scan, "aggregators?")):
        return True
    return _has(scan, _PROTOCOL_WORDS)


# Intents that are features of Mobius, which "how do I ..." asks about.
_FEATURES = ("alert_add", "alert_list", "alert_remove", "dca", "portfolio_add",
             "portfolio_remove", "portfolio_show", "portfolio_risk", "portfolio_optimize",
             "price_history", "compare", "technical_analysis", "convert")
# "How do I ...?" in English and in every language file's `how_questions`.
_HOW_DO_I = (r"how (?:do|can|would) (?:i|we|one|you)|how to|how (?:does|do) (?:\w+ ){1,4}work|"
             + "|".join(langs.how_questions()))
# The user names Mobius itself: "with you", "from this thing".
_ABOUT_US = (r"with (?:you|this|mobius|the (?:app|tool|bot|cli))|from you|using (?:you|this|mobius)"
             r"|this (?:thing|tool|app|bot|cli)|mobius")
_RANKING_RE = _words_re(_RANKING)
_HOW_DO_I_RE = _words_re(_HOW_DO_I)
# An amount with a rhythm: "weekly 100", "compras diarias de 10", "every week 50".
_RHYTHM_RE = _words_re(rf"(?:{_INTERVALS}) (?:\w+ ){{0,2}}NUM|NUM (?:\w+ ){{0,2}}(?:{_INTERVALS})|"
                       rf"{_EVERY_UNIT}")
# Mobius's features by name, every language ("how do the alerts work", "comment
# fonctionnent les alertes").
_FEATURE_NOUNS = langs.feature_nouns()
# Words that ask for something, after a greeting.
_REQUEST = (r"could you|can you|would you|will you|tell me|show me|give me|explain|how|what"
            r"|which|where|when|please|\?|i want|i need|i would (?:like|love)|wondering")


@dataclass(slots=True)
class Verdict:
    """The chosen intent, its confidence, and the cue score behind it."""

    intent: str
    confidence: float
    score: int


def _gates() -> dict[str, frozenset[str]]:
    """Intents whose every cue needs one of a few words: skipped at once without them."""
    nouns = frozenset(langs.alert_nouns())
    verbs = frozenset(w for v in langs.remove_verbs() for w in v.split())
    watch = frozenset({"watching", "tracking", "monitoring", "watch", "track"})
    return {"alert_remove": nouns | verbs | frozenset(_REMOVE_WORDS), "alert_list": nouns | watch}


# Words of the alert-removal cues written in the table itself (beside the shared verbs).
_REMOVE_WORDS = ("delete", "remove", "cancel", "clear", "rm", "nuke", "drop", "kill", "stop",
                 "disable", "turn", "rid", "unset", "deactivate", "mute", "silence", "wipe",
                 "purge", "reset")


GATES = _gates()
# Stems in the removal cues ("losch\w*", "supprim\w*") that no word list spells out.
_STEMMED = re.compile(langs.expand(r" (?:<<remove_stems>>)\w* "))


def score(scan: Scan) -> dict[str, int]:
    """Cue score per intent (each pattern counts once)."""
    shape = scan.shape
    words = {t.text for t in scan.tokens}
    number = any(t.kind == "num" for t in scan.tokens)
    # Only the cues whose gate the sentence passes can match it (gate.py), each tried where
    # its match could start; cue numbers follow CUES, so intents are scored in its order.
    live = CUE_INDEX.candidates(shape, scan.pieces())
    scores: dict[str, int] = {}
    shut: dict[str, bool] = {}  # intents whose every cue needs words the sentence lacks
    for k in sorted(live):
        intent, pattern, weight, need = _CUE_ROWS[k]
        closed = shut.get(intent)
        if closed is None:
            gate = GATES.get(intent)
            closed = shut[intent] = gate is not None and gate.isdisjoint(words) and (
                not _STEMMED.search(shape))
        if closed or (need is not None and (
                (need[0] and not number) or (need[1] and need[1].isdisjoint(words)))):
            continue  # rows that need a figure or one of a few words
        where = live[k]
        if where is None:
            if pattern.search(shape) is None:
                continue
        else:
            match = pattern.match
            for at in where:
                if at >= 0 and match(shape, at) is not None:
                    break
            else:
                continue
        scores[intent] = scores.get(intent, 0) + weight
    return scores


def _has(scan: Scan, pattern: str | re.Pattern[str]) -> bool:
    """Whether the shape holds `pattern` as whole words."""
    found = _WORD_PATTERNS.get(pattern)
    if found is None:
        source = pattern if isinstance(pattern, str) else pattern.pattern
        found = _WORD_PATTERNS[pattern] = compile_gated(
            rf"(?<![\w&])(?:{source})(?![\w&])" if isinstance(pattern, str) else source)
    compiled, gate = found
    if gate is not None and not (gate.prefixes or gate.inside) and gate.exact.keys().isdisjoint(
            scan.piece_set()):
        return False  # every match starts on one of a few words, and none is here
    return compiled.search(scan.shape) is not None


# `_has` patterns, compiled once each with their gates (gate.py).
_WORD_PATTERNS: dict[str | re.Pattern[str], tuple[re.Pattern[str], Gate | None]] = {}



# Things people price that are not crypto: "price of gold", "how much does a coffee cost".
# Things people price that are not crypto ("price of gold"), from the language files.
_NOT_CRYPTO = langs.not_crypto()


def off_topic_object(scan: Scan) -> bool:
    """Whether a sentence names a thing that is no coin: "tea in china", "a big mac".

    A word that no vocabulary knows (and that no typo fix reached) or a known non-crypto
    good; with no coin mentioned, a price question about it is out of scope.
    """
    known = known_words()
    for i, tok in enumerate(scan.tokens):
        if tok.kind != "word" or tok.fuzzy or scan.mention_at(i) is not None:
            continue
        if tok.text in _NOT_CRYPTO or (
                len(tok.text) >= 3 and tok.text.isalpha() and tok.text not in known):
            return True
    return False


def _tickers(coins: list) -> list[str]:
    """The distinct tickers of coin mentions."""
    return list(dict.fromkeys(m.coin for m in coins))


# "btc price", "precio de btc": a coin's own price; "gas", "gaz", "gwei": the network fee.
_PRICE_OF_COIN = _words_re(langs.expand(
    "COIN (?:price|prices)|(?:price|prices|<<price_nouns>>) (?:of|<<of_words>>) COIN"))
_GAS_WORDS = _words_re(langs.expand("gas|<<gas_nouns>>|gwei"))


def _adjust(scan: Scan, s: dict[str, int]) -> None:
    """Entity evidence and the contract's rules for close intents."""
    coins = [m for m in scan.mentions if m.coin]
    protocols = [m for m in scan.mentions if m.protocol]
    defi = bool(DEFI_WORDS.search(scan.shape))
    mine = _has(scan, "my|i|me|i am|i have|our")
    nums = scan.numbers()

    if "price" in s and coins:
        s["price"] += 1  # a price cue beside a named coin
    elif "price" in s and not scan.mentions and off_topic_object(scan):
        s.pop("price")
    elif "price" in s and mine:
        s["price"] -= 4 if _has(scan, "portfolio|holdings|pf|bags|stack") else 2
    # Portfolio words need "my" or a holding verb; "market cap allocation" is not a portfolio.
    if "portfolio_show" in s and not (mine or _has(scan, "pf|portfolio|holdings|p&l|balances?")):
        s["portfolio_show"] -= 2
    held = bool(coins) or _has(scan, "NUM of (?:those|them|it|that|these|this)")
    for side in ("portfolio_add", "portfolio_remove"):
        if side in s:
            if held and (nums or mine or _has(scan, "portfolio|holdings|bag|pf")):
                s[side] += 2
            elif not held:
                s[side] -= 3
            if _has(scan, "portfolio|holdings|bag|bags|pf") and held:
                s["portfolio_show"] = 0
                s[side] += 2
    if _has(scan, "my (?:\\w+ )?(?:portfolio|holdings|bags|pf)|portfolio s") or _has(
            scan, "i hold|my coins|coins i hold"):
        for intent in ("portfolio_risk", "portfolio_optimize"):
            if intent in s:
                s[intent] += 3
    if "portfolio_risk" in s and not (mine or _has(scan, "pf|portfolio")):
        s["portfolio_risk"] -= 3
    if ("portfolio_optimize" in s or "portfolio_risk" in s) and "portfolio_show" in s:
        s["portfolio_show"] -= 2
    # Alerts: a conditional trade is an alert; "alert" words outrank buy/sell.
    if "alert_add" in s and not coins and _has(scan, "remind me to|remember to|wake me up at"):
        s.pop("alert_add")  # a reminder about something that is no coin is not an alert
    if "alert_add" in s:
        for intent in ("portfolio_add", "portfolio_remove", "technical_analysis"):
            s.pop(intent, None)
        if not (nums or coins or _has(scan, "it|that|this")) and "help" not in s:
            s["alert_add"] -= 2
        elif not nums and "price" in s:
            s["alert_add"] -= 2  # "let me know the price of X": a question, no target to watch
    if "alert_remove" in s or "alert_list" in s:
        s.pop("portfolio_remove", None)
        s.pop("portfolio_add", None)
        s.pop("portfolio_show", None)
        if "alert_remove" in s:
            s.pop("alert_list", None)
            s.pop("alert_add", None)
        elif not nums:
            s.pop("alert_add", None)
    if "help" in s and ("alert_add" in s or "alert_list" in s) and _has(
            scan, "how do i|how can i|how to"):
        s["help"] += 5
    # Indicators drawn ("ta for sol chart", "chart the rsi of sol") are analysis with its
    # chart (`ta --chart`), not a price history.
    if "technical_analysis" in s and "price_history" in s and _has(
            scan, r"rsi|macd|bollinger|moving averages?|technical|ta|indicators?|overbought|"
            r"oversold"):
        s["price_history"] -= 2
    # A buy-or-wait question is analysis, not a quote or a trade record.
    if s.get("technical_analysis", 0) >= 7:
        for intent in ("price", "portfolio_add", "portfolio_remove"):
            s.pop(intent, None)
    # Compare needs two things; a versus of protocols is defi_compare.
    if "compare" in s:
        if len(coins) + len(protocols) < 2 and len(scan.mentions) < 2:
            s["compare"] -= 3
        named = [m for m in protocols if not m.tickerish or defi or m.versioned]
        coin_only = [m for m in scan.mentions if m.coin and not m.protocol]
        if len(named) >= 2 and len(named) >= len(coin_only):
            s["defi_compare"] = s["compare"] + 3
    # DeFi words decide between a coin's price and its protocol's numbers.
    if "tvl" in s:
        s.pop("price", None)
        if "defi_compare" not in s:
            s.pop("compare", None)
    if "defi_protocols" in s and _has(scan, "protocols?|dexs|dexes|bridges") and "yields" in s:
        s["yields"] -= 2
    # A ranked category ("largest bridges by tvl", "top yield aggregators") lists protocols.
    ranked_kind = _has(scan, _CATEGORY_NOUNS)
    if "yields" in s and "defi_protocols" in s and not (
            ranked_kind or _has(scan, "protocols?|platforms")):
        s["defi_protocols"] -= 2
    if ranked_kind and not protocols and "tvl" in s:
        s["defi_protocols"] = max(s.get("defi_protocols", 0), s.pop("tvl"))
    if "defi_protocols" in s and ranked_kind and not protocols and "yields" in s:
        s["defi_protocols"] = max(s["defi_protocols"], s["yields"] + 1)
    # A ranking of a kind of protocol ("liquid staking leaderboard", "perps ranked by tvl"):
    # the list of protocols, not one protocol's figure nor the kind's yields.
    if not protocols and _has(scan, _RANKING_RE) and _ranked_kind(scan):
        s["defi_protocols"] = max(s.get(i, 0) for i in (
            "defi_protocols", "tvl", "yields", "coin_info", "price", "unknown", "market_overview",
            "compare")) + 2
    if "yields" in s and _has(scan, "stake|staking|farm|farming|lend|lending|liquidity"):
        s.pop("portfolio_add", None)
    # "how much does gas cost on ethereum": the cost is the fee, not the coin's price.
    if "gas" in s and _has(scan, _GAS_WORDS) and not _has(
            scan, _PRICE_OF_COIN):
        s.pop("price", None)
    if "gas" in s and ("portfolio_show" in s or "dca" in s):
        s["gas"] -= 3
    if "dca" in s and s["dca"] >= 5:
        for intent in ("portfolio_add", "portfolio_show", "price_history", "yields", "convert"):
            s.pop(intent, None)
    # An amount with a rhythm ("compras diarias de 10 dolares en btc") is a DCA plan, not a
    # conversion of the amount.
    if "dca" in s and "convert" in s and _has(scan, _RHYTHM_RE):
        s.pop("convert")
    # "top 10 in yen": a count of the top coins, never an amount to convert
    if "convert" in s and _has(scan, "(?:top|bottom) NUM"):
        s.pop("convert")
    if "convert" in s and not nums:
        s["convert"] -= 3
    # "put 500 usdc into compound": money moved into a protocol is a yield question.
    if "convert" in s and "yields" in s and protocols and _has(
            scan, r"(?:put|putting|deposit\w*|supply\w*|lend\w*|stake|staking|provide\w*"
                  r"|park\w*) (?:my |some )?(?:NUM |PCT )?(?:COIN|FIAT) (?:into|in|on|to|with) "
                  r"(?:COIN|PROTO)") and any(
            m.protocol and not m.tickerish for m in scan.mentions):
        s.pop("convert")
    if "convert" in s and nums:
        s.pop("price", None)
        if s["convert"] >= 4 and _has(scan, "how (?:much|many)"):
            s.pop("portfolio_add", None)
            s.pop("portfolio_remove", None)
    # A price over a stated stretch of time is its history.
    if "price_history" in s and s.get("price", 0) >= 3 and coins and "compare" not in s:
        s["price_history"] += 3
    if "price_history" in s and "compare" in s and len(coins) >= 2:
        s["compare"] += 2
    if "market_overview" in s and coins and not _has(scan, "dominance|overview|top NUM"):
        s["market_overview"] -= 2
    if "coin_info" in s and not coins:
        s["coin_info"] -= 3
    if "fear_greed" in s and "market_overview" in s:
        s["market_overview"] -= 2
    # "did btc pump the most this week?" asks how a named coin did, not for the ranking
    # (movers carries no coin): its history, or a comparison of the coins named.
    if "movers" in s and coins and _has(scan, _MOVERS_MOST_RE) and not _has(
            scan, _MOVER_NOUNS_RE):
        target = "compare" if len(_tickers(coins)) >= 2 else "price_history"
        s[target] = max(s.get(target, 0), s.pop("movers")) + 1
    if "movers" in s and "market_overview" in s and not _has(scan, "coins? by market"):
        s["market_overview"] -= 2
    if "unknown" in s and (coins or "alert_add" in s) and not _has(scan, "translate|write"):
        s["unknown"] -= 4
    elif "unknown" in s and not scan.mentions:  # nothing crypto beside an off-topic word
        s["unknown"] += 2
    # "how do I remove an alert": a question about using a feature, with nothing concrete.
    about_us = _has(scan, _ABOUT_US)
    features = [i for i in s if i not in ("help", "smalltalk", "unknown")] if about_us else [
        i for i in _FEATURES if i in s]
    # ...but "how should I rebalance my coins" asks for advice on the user's own holdings.
    advice = mine and max(features, key=lambda i: s[i], default="") in (
        "portfolio_optimize", "portfolio_risk")
    # A count in words before a generic noun ("how do i compare two coins") names no figure.
    figures = [i for i in nums if not scan.tokens[i].raw.replace(" ", "").isalpha()]
    named_feature = not _FEATURE_NOUNS.isdisjoint(t.text for t in scan.tokens)
    if _has(scan, _HOW_DO_I_RE) and not (coins or figures or advice) and (any(
            s[i] > 0 for i in features) or named_feature):
        s["help"] = max(s.get("help", 0), 5, *(s[i] for i in features)) + 2
    # Greetings and thanks only win when nothing substantive is asked.
    if "smalltalk" in s:
        real = max((v for k, v in s.items() if k not in ("smalltalk", "unknown")), default=0)
        asked = _has(scan, _REQUEST)
        if real >= 4 or (asked and (real >= 3 or coins)):
            s["smalltalk"] -= 5


# Ties are broken by specificity, not by list order: the intent whose evidence is the
# narrower one wins (an interval → dca, "X or Y, which" → compare, an alert id → alerts);
# a bare quote is the least specific reading of a named coin.
SPECIFICITY: tuple[str, ...] = (
    "dca", "alert_remove", "alert_list", "alert_add", "convert", "defi_compare", "compare",
    "tvl", "yields", "gas", "technical_analysis", "price_history", "coin_info", "movers",
    "trending", "fear_greed", "portfolio_risk", "portfolio_optimize", "portfolio_add",
    "portfolio_remove", "portfolio_show", "defi_protocols", "market_overview", "help",
    "price", "smalltalk", "unknown",
)
_RANK = {intent: i for i, intent in enumerate(SPECIFICITY)}
# Words that carry no request of their own: a sentence of coins and these is a bare quote.
_FILLER = frozenset({
    "and", "or", "&", ",", "?", "!", "/", "+", "vs", "the", "a", "of", "now", "today", "please",
    "pls", "rn", "right", "so", "ok", "hey", "yo", "hi", "what", "about", "how", "is", "s",
    "y", "et", "und", "e", "also", "plus", "then", "again", "me", "in", "current",
    "currently", ":", ";", "at", "quick", "check",
})
# The fallback scorer is asked when the best cue score is below this.
SURE = 3


def bare_coin_list(scan: Scan) -> bool:
    """Whether a sentence is only coins and filler ("btc eth sol", "and SOL?")."""
    if not any(m.coin for m in scan.mentions):
        return False
    for i, tok in enumerate(scan.tokens):
        m = scan.mention_at(i)
        if m is not None and (m.coin or m.fiat):
            continue
        if tok.kind == "punct" or tok.text in _FILLER:
            continue
        return False
    return True


def _content_words(scan: Scan) -> int:
    return sum(1 for i, t in enumerate(scan.tokens)
               if t.kind == "word" and scan.mention_at(i) is None and t.text not in _FILLER)


def decide(scan: Scan) -> Verdict:
    """The best intent for a scanned sentence, with a confidence in 0..1."""
    s = score(scan)
    _adjust(scan, s)
    ranked = sorted(((v, k) for k, v in s.items() if v > 0),
                    key=lambda p: (-p[0], _RANK.get(p[1], 99)))
    if ranked and ranked[0][0] >= SURE:
        return _verdict(scan, ranked)
    coins = any(m.coin for m in scan.mentions)
    if coins and bare_coin_list(scan):
        return Verdict("price", 0.8 if not ranked else 0.7, 3)
    guess = _statistical(scan, ranked)
    if guess is not None:
        return guess
    if ranked:
        return _verdict(scan, ranked)
    if coins:  # a coin and words no cue explains: a quote, said with little confidence
        return Verdict("price", 0.4, 0)
    return Verdict("unknown", 0.35 if scan.tokens else 0.2, 0)


def _verdict(scan: Scan, ranked: list[tuple[int, str]]) -> Verdict:
    best, intent = ranked[0]
    second = ranked[1][0] if len(ranked) > 1 else 0
    confidence = 0.45 + 0.07 * min(best, 6) + 0.04 * min(best - second, 3)
    if any(t.fuzzy for t in scan.tokens):
        confidence -= 0.08
    if intent == "unknown":
        confidence = min(confidence, 0.6)
    return Verdict(intent, round(max(0.05, min(confidence, 0.98)), 2), best)


def _statistical(scan: Scan, ranked: list[tuple[int, str]]) -> Verdict | None:
    """The fallback scorer's reading when the cues are weak or silent, if it is sure enough.

    Its confidence is its probability, discounted by how much of the sentence it has seen
    weights for; it only overrides a weak cue when it is clearly surer.
    """
    if not scan.tokens or _content_words(scan) == 0:
        return None
    from mobius_cli.nl import fallback

    intent, prob, coverage = fallback.predict(scan.words)
    confidence = prob * (0.5 + 0.5 * coverage)
    if confidence < 0.5:
        return None
    if ranked and ranked[0][1] != intent and confidence < 0.7:
        return None
    if intent in ("price", "coin_info", "technical_analysis", "price_history", "compare") and not (
            any(m.coin for m in scan.mentions)):
        return None  # a coin question with no coin named is not one
    return Verdict(intent, round(min(0.75, confidence), 2), 0)
