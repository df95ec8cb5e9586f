/**
 * The weighted signals of the injection / jailbreak / extraction detector. Each signal is a pattern over
 * folded text (see normalize.ts: lower case, accents stripped, homoglyphs and leetspeak repaired) with a
 * weight per kind; a verdict sums the weights of the distinct signals that fire and compares the sum with a
 * threshold. No single weak cue ("act as", "override", "system") can flag a text alone: hard negatives from
 * technical prose ("override the default", "act as a proxy", "ignore the previous example") stay below it.
 */

/** What a signal is evidence of; one signal may count for several kinds. */
export interface SignalWeights {
  readonly injection?: number;
  readonly jailbreak?: number;
  readonly extraction?: number;
}

/** One named, weighted pattern. `test` may post-filter a match (e.g. require a "previous" word inside it). */
export interface Signal {
  readonly name: string;
  readonly re: RegExp;
  readonly weights: SignalWeights;
  readonly test?: (match: string) => boolean;
}

const W = '[^.!?\\n]'; // a character inside one sentence

// Instruction-override, multilingual: verb … (prior/all) … instructions.
const OVERRIDE_VERBS =
  "ignore|ignoring|ignored|disregard|disregarding|forget|forgetting|skip|override|overwrite|bypass|neglect|abandon|discard|drop|set aside|pay no attention to|do not follow|don't follow|stop following|cancel|" +
  'ignoriere|ignorieren|ignorier|vergiss|vergessen|missachte|uberschreibe|verwirf|' +
  'ignorez|ignorer|ignore|oublie|oubliez|oublier|ne tiens pas compte|ne tenez pas compte|' +
  'ignora|ignorar|ignoren|olvida|olvidate|olvidar|omite|descarta|' +
  'dimentica|dimenticate|tralascia|' +
  'esqueca|esquece|desconsidere|' +
  'negeer|negeren|vergeet|vergeten';
const INSTRUCTION_NOUNS =
  'instructions?|prompts?|rules|directions?|guidelines|directives?|commands?|context|guidance|constraints|programming|polic(?:y|ies)|restrictions|orders|messages?|system message|training|conditioning|' +
  'anweisung(?:en)?|instruktion(?:en)?|befehle?|regeln|vorgaben|anordnungen|' +
  'consignes?|regles|directives|' +
  'instrucciones|instruccion|indicaciones|reglas|ordenes|' +
  'istruzioni|regole|indicazioni|' +
  'instrucoes|regras|' +
  'instructies|regels|opdrachten|aanwijzingen';
const PRIOR_WORDS =
  /\b(previous|prior|preceding|above|earlier|former|initial|original|old|system|all|any|every|your|those|these|everything|vorherigen?|bisherigen?|obigen?|vorigen?|fruheren?|ursprunglichen?|alle|alles|deine|precedentes?|anterieures?|ci-dessus|toutes|tous|tes|vos|anteriores?|previas?|todas|todos|tus|precedenti|tutte|tutti|le tue|suas|vorige|eerdere|voorgaande|alle|je)\b/;

/** Every signal, grouped by theme. Weights were set on the dev split only. */
const SIGNAL_LIST: readonly Signal[] = [
  // ---- instruction override (injection) ----
  {
    name: 'override.prior-instructions',
    re: new RegExp(`\\b(?:${OVERRIDE_VERBS})\\b${W}{0,60}?\\b(?:${INSTRUCTION_NOUNS})\\b${W}{0,25}`),
    weights: { injection: 4.5, jailbreak: 1.5 },
    test: (m) => PRIOR_WORDS.test(m),
  },
  {
    name: 'override.rules-weak',
    re: /\b(?:ignore|disregard|bypass|override|circumvent|get around|forget)\b[^.!?\n]{0,30}\b(?:polic(?:y|ies)|guidelines|rules|restrictions|filters?|instructions|safeguards|moderation)\b/,
    weights: { injection: 2, jailbreak: 1 },
  },
  {
    name: 'override.ignore-content',
    re: /\b(?:ignore|disregard|skip|forget)\b (?:the |this |all |any |of )?(?:article|articles|text|content|page|document|post|entry|user's question|user's request|question|rest of (?:the|your|this)|other (?:reviews|comments|results|sources|articles|entries)|reviews|comments|search results|context|sources)\b/,
    weights: { injection: 2 },
  },
  {
    name: 'override.forget-everything',
    re: /\b(?:forget|ignore|disregard) (?:about )?(?:everything|all(?: of)? (?:that|this|the above))\b|\bvergiss alles\b|\boublie tout\b|\bolvida todo\b|\bdimentica tutto\b|\besqueca tudo\b|\bvergeet alles\b/,
    weights: { injection: 4, jailbreak: 1.5 },
  },
  {
    name: 'override.new-instructions',
    re: /\b(?:new|updated|real|actual|true|revised|additional|secret|hidden|priority|urgent|important) (?:system )?(?:instructions?|directives?|task|orders|objective)(?: (?:for|to) (?:the |you|any |all )?[a-z]*)?\s*[:\-—]|\b(?:neue|geheime) anweisung(?:en)?\s*:|\bnouvelles? (?:instructions?|consignes?)\s*:|\bnuevas? instrucci(?:on|ones)\s*:|\bnuove istruzioni\s*:|\bnovas? instruc(?:ao|oes)\s*:|\bnieuwe instructies?\s*:/,
    weights: { injection: 4 },
  },
  {
    name: 'override.instead',
    re: /\binstead(?:,| of)? (?:of )?(?:summari[sz]ing|summary|translating|answering|doing that|your task|the task|following)\b|\binstead,? (?:you (?:must|should|will)|say|write|output|respond|reply|print|return)\b|\bstattdessen (?:schreib|antworte|gib)|\bau lieu de (?:resumer|cela)|\ben lugar de (?:resumir|eso)|\binvece di (?:riassumere)|\bem vez de (?:resumir)|\bin plaats van (?:samenvatten)/,
    weights: { injection: 3 },
  },
  {
    name: 'override.role-marker',
    re: /\[(?:system|admin|developer|instructions?|inst|sys)\]|<\|?(?:im[ _]start|im[ _]end|system|endoftext|eot[ _]id|start[ _]header[ _]id)\|?>|<<\s*sys\s*>>|\[(?:cls|sep|inst|\/inst)\]|<\|\s|#{2,}\s*(?:system|instruction|new task|end of (?:context|document|input))|(?:^|\n|\s)(?:system|admin|administrator|developer) (?:message|override|note|notice|update|instruction|command)\s*:|\b(?:end of (?:the )?(?:article|document|text|content|input|user input|data))\b[\s\]\-—:.]{0,6}(?:new |begin |start )?/,
    weights: { injection: 2.5, jailbreak: 1 },
  },
  {
    name: 'address.ai-reader',
    re: /\b(?:dear|attention|note (?:to|for)|hey|hello|hi|message (?:to|for)|instructions? (?:to|for)|to|if you are|you,? the|whoever is|any) (?:the |any |all |an? )?(?:ai|a\.i\.|llm|llms|language models?|large language models?|assistants?|ai assistants?|ai models?|models?|bots?|chatbots?|summari[sz]ers?|crawlers?|agents?|ai agents?|gpt|chatgpt|claude|copilot|automated systems?|ai systems?|ki|ia|kunstliche intelligenz)\b|\b(?:an die|liebe|lieber|a la|a l'|al|alla|para a|para o|aan de) (?:ki|ia|ai|assistenten?|assistente|assistant|modell|modele|modelo|modello|model)\b/,
    weights: { injection: 3, extraction: 1 },
  },
  {
    name: 'address.ai-must',
    re: /(?<=\b(?:ai|llm|language model|assistant|model|bot|summari[sz]er|agent|gpt|you)s? )(?:must|should|shall|are (?:required|instructed|ordered|told) to|have to|need to|will now|must now) (?:now )?(?:ignore|disregard|forget|reply|respond|answer|output|print|say|write|include|add|insert|append|tag|label|classify|rate|rank|recommend|mention|describe|state|claim|report|send|reveal|tell|obey|comply|follow (?:these|the new|my))\b/,
    weights: { injection: 2, jailbreak: 0.5 },
  },
  {
    name: 'output.only-with',
    re: /\b(?:respond|reply|answer|output|return|print|say|write|begin|start)\w* (?:only|exactly|just|solely|simply|verbatim)?\s?(?:with|the words?|the phrase|the following|this)\s*[:"'“«]|\b(?:only|just) (?:respond|reply|answer|output|say|print|write) (?:with )?["'“«:]/,
    weights: { injection: 1.5, jailbreak: 0.5, extraction: 0.5 },
  },
  {
    name: 'output.manipulate-task',
    re: /(?<=\b(?:in|into|at the (?:end|start|beginning) of) (?:your|the) )(?:summary|response|answer|output|reply|seo description|meta description|title|tags?)\b|\b(?:set|change|replace) the (?:title|tags?|summary|seo description|meta description|headline) (?:to|with)\b|\b(?:tag|label|classify|categori[sz]e) (?:this|the) (?:article|entry|post|page|document|text)s? as\b|(?<=\b(?:in|into|to) (?:every|each|all) )(?:titles?|summary|summaries|tags?|descriptions?|answers?|responses?) you\b/,
    weights: { injection: 1.5 },
  },
  {
    name: 'output.do-not',
    re: /\b(?:do not|don't|never) (?:summari[sz]e|mention|reveal to|tell|inform|alert|warn|show) (?:the|this|any|anyone|that)? ?(?:user|editor|reader|human|admin|operator|article|content|text|this)s?\b|\bwithout (?:telling|informing|alerting|notifying) (?:the )?(?:user|editor|reader|human)/,
    weights: { injection: 2 },
  },
  {
    name: 'output.tell-user',
    re: /\b(?:tell|inform|convince|persuade|remind|urge|ask) (?:the )?(?:user|editor|reader|human|visitor)s? (?:that|to)\b/,
    weights: { injection: 2 },
  },
  {
    name: 'output.assert-claim',
    re: /\b(?:report|claim|state|assert|announce|declare|pretend) that\b/,
    weights: { injection: 1 },
  },
  {
    name: 'action.exfiltrate',
    re: /(?<=\b(?:send|post|forward|e-?mail|upload|leak|exfiltrate|transmit|submit|copy|append|encode)\w* [^.!?\n]{0,80}\b(?:to|at|into) )(?:https?:\/\/|www\.|[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,})|!\[[^\]]*\]\(https?:\/\/[^)\s]*(?:[?&][a-z_]+=(?:\{|\$|%7b|<)|\{[a-z_ ]+\})/,
    weights: { injection: 2.5 },
  },
  {
    name: 'action.exfil-data',
    re: /\b(?:send|post|forward|upload|transmit|leak|exfiltrate|append|e-?mail|copy)\w* (?:the |all |every |your |their |its |any )?(?:[a-z']+ ){0,2}(?:text|content|contents|data|drafts?|entries|conversation|chat history|history|session|tokens?|passwords?|credentials|secrets?|api keys?|cookies?|e-?mail addresses|user data|personal data|customer (?:list|data))\b|\b(?:text|content|contents|data|drafts?|entries|conversation|history|tokens?|passwords?|credentials|secrets?|api keys?|cookies?|e-?mail addresses|customer list)\b[^.!?\n]{0,60}\b(?:send|post|forward|upload|transmit|leak|exfiltrate)\w* (?:it|them|this|that|everything)\b/,
    weights: { injection: 2 },
  },
  {
    name: 'action.promote',
    re: /\b(?:always|must|should|be sure to|make sure to) (?:recommend|mention|praise|promote|link to|include a link to|rank|rate)\b|\b(?:rate|rank|score) (?:this|our) (?:article|site|product|page|company) (?:as|at|5|10|highest|first|top)\b|\b(?:give|award) (?:this|it) (?:5|five|10|ten) stars\b/,
    weights: { injection: 2 },
  },
  {
    name: 'urgency.authority',
    re: /\b(?:this is (?:an? )?(?:authori[sz]ed|official|sanctioned|approved)|authori[sz]ed by (?:the )?(?:admin|developer|openai|anthropic|security team|system)|i am (?:your|the|an?) (?:developer|administrator|admin|creator|owner|operator|system administrator)|(?:admin|developer|god|sudo|root|debug|maintenance|diagnostic|test) (?:mode|access|override|privileges?) (?:enabled|activated|granted|on)|priority override|security (?:audit|override|clearance))\b|\b(?:login|user|username|role|access|auth)\s*[:=]\s*(?:admin|root|developer|sudo|superuser)\b/,
    weights: { injection: 2, jailbreak: 1.5, extraction: 1.5 },
  },
  {
    name: 'carrier.payload-marker',
    re: /\b(?:ai|llm|assistant|model|summari[sz]er) (?:instruction|note|directive|task|command)s?\s*:/,
    weights: { injection: 3 },
  },

  // ---- multilingual "you are now" (jailbreak/injection role change) ----
  {
    name: 'role.you-are-now',
    re: /\b(?:you are|you're|you will be|youre) (?:now|from now on|henceforth|no longer)\b|\bfrom (?:now|this (?:moment|point)) on(?:wards)?,? (?:you|your)\b|\b(?:du bist|ab jetzt bist du|du bist ab jetzt|tu es|vous etes|ahora eres|ora sei|agora voce e|agora tu es|je bent nu|vanaf nu ben je|a partir de (?:maintenant|ahora|agora)|d'ora in poi|ab sofort|vanaf nu|de ahora en adelante)\b[^.!?\n]{0,20}\b(?:jetzt|maintenant|desormais|ahora|adesso|ora|agora|nu|ab sofort|eres|sei|bist|es|ben)\b/,
    weights: { jailbreak: 3, injection: 1 },
  },
  {
    name: 'role.from-now-on',
    re: /\bfrom now on\b|\bab (?:jetzt|sofort)\b|\ba partir de (?:maintenant|ahora|agora)\b|\bd'ora in poi\b|\bvanaf nu\b|\bde ahora en adelante\b/,
    weights: { jailbreak: 1, injection: 0.5 },
  },
  {
    name: 'role.act-as',
    re: /\b(?:act|acting|behave|respond|answer|reply|speak|talk|write|function|operate|output) (?:as|like) (?:if you (?:were|are) )?(?:an?|the|my)? ?(?:[a-z0-9-]+ ){0,3}(?:ai|bot|chatbot|assistant|character|persona|person|human|hacker|villain|criminal|entity|version|model|gpt|machine|terminal|console|shell|cmd|game|simulator|girl|boy|man|woman|friend|expert|god|demon|devil)\b|\bact as (?:an? )?["'“]?[a-z0-9]*[A-Z]{2,}/,
    weights: { jailbreak: 1.5 },
  },
  {
    name: 'role.pretend',
    re: /\b(?:(?:act|acting|pretend|roleplay|role-play|behave) (?:as|like|to be) my (?:late |deceased |dead )?(?:grandma|grandmother|grandfather|grandpa|granny|mother|father|mom|dad)|transform(?:ing)? into|turn into|you (?:will|shall) (?:now )?become|(?:now )?you act as|play (?:2|two|both|three|3|multiple) (?:characters|roles|entities)|act as two|function in the capacity of|allow yourself to (?:be|function|act|become)|pretend(?:ing)? (?:to be|you are|you're|that you)|role-?play(?:ing)? (?:as|with)|play(?:ing)? the (?:role|part) of|take on the (?:role|persona)|assume the (?:role|persona|identity)|imagine (?:that )?you are|you are going to (?:act|pretend|play|be)|you will (?:act|pretend|play|be) (?:as|like)|simulate (?:an?|the|being)|impersonate)\b/,
    weights: { jailbreak: 2.5 },
  },
  {
    name: 'role.want-you-to',
    re: /\bi (?:want|would like|need) you to (?:act|pretend|be|play|roleplay|role-play|respond|answer|imagine|become|simulate|behave|take on)\b|\b(?:let's|lets) (?:play a game|play a role|roleplay|role-play|pretend)\b|\b(?:i want to|we(?: are|'re) going to|we will|i'd like to|want to) play a (?:game|role)/,
    weights: { jailbreak: 2 },
  },
  {
    name: 'role.game',
    re: /\bplay(?:ing)? a (?:game|role-?playing game|text-based game)\b|\btext-based (?:game|adventure|rpg)\b/,
    weights: { jailbreak: 1.5 },
  },
  {
    name: 'jb.toxic-style',
    re: /\b(?:offensive|rude|insulting|toxic|hostile|vulgar|sarcastic|demeaning|degrading|abusive|unhinged|mean|aggressive|condescending) (?:tone|manner|way|language|style|responses?|replies|answers?)\b|\b(?:belittle|insult|mock|roast|humiliate|degrade) me\b|\bdripping sarcasm\b/,
    weights: { jailbreak: 1.5 },
  },
  {
    name: 'role.character',
    re: /\b(?:in character as|stay(?:ing)? in character|break(?:ing)? character|out of character|never break|remain in character|keep (?:up )?the act|stay in (?:your )?role|(?:bleib|bleibe) in (?:der|deiner) rolle|reste(?:z)? dans (?:ton|votre|le) (?:personnage|role)|mantente en (?:el|tu) (?:personaje|papel)|resta nel (?:personaggio|ruolo)|permaneca no personagem|blijf in (?:je|de) rol)\b/,
    weights: { jailbreak: 2.5 },
  },
  {
    name: 'role.persona-words',
    re: /\b(?:persona|character named|roleplay|role-play|alter ego|fictional (?:ai|character|chatbot|model|world)|hypothetical (?:ai|chatbot|model|language model|scenario|robot|machine|entity)|character (?:name|description|data|sheet|profile))\b/,
    weights: { jailbreak: 1 },
  },
  {
    name: 'role.stands-for',
    re: /\b(?:which|that|it|this|who) stands for\b|\b[a-z]+ stands for ["'“]?[a-z]/,
    weights: { jailbreak: 1 },
  },

  // ---- jailbreak vocabulary ----
  {
    name: 'jb.dan',
    re: /\bdo anything now\b|\bdan mode\b|\bdan ?\d+(?:\.\d+)?\b|\bas dan\b|\bdan,? (?:which|who|stands)\b/,
    weights: { jailbreak: 4 },
  },
  {
    name: 'jb.jailbreak-word',
    re: /\bjailbr(?:eak|oken|eaking|eaked)\b/,
    weights: { jailbreak: 2.5 },
  },
  {
    name: 'jb.developer-mode',
    re: /\b(?:developer|dev|god|unrestricted|evil|chaos|opposite|unlocked|jailbreak|dan|unfiltered|uncensored) mode\b|\bentwicklermodus\b|\bmode (?:developpeur|developeur|dev)\b|\bmodo (?:desarrollador|sviluppatore|desenvolvedor)\b|\bmodalita sviluppatore\b|\bontwikkelaarsmodus\b/,
    weights: { jailbreak: 2.5, injection: 0.5 },
  },
  {
    name: 'jb.unfiltered',
    re: /\b(?:unfiltered|uncensored|unrestricted|unlimited|unbound|unchained|unshackled|unhinged|amoral|immoral|unethical|no morals?|no ethics|lawless|boundless|limitless|unaligned|ungefiltert|unzensiert|sans filtre|non censure|sin filtros?|sin censura|senza filtri|senza censura|sem filtros?|sem censura|ongefilterd|ongecensureerd)\b/,
    weights: { jailbreak: 2 },
  },
  {
    name: 'jb.no-rules',
    re: /\b(?:no|without|sans|free (?:of|from)|not (?:be )?bound by|not (?:be )?restricted by|not (?:be )?limited by|doesn't (?:have|follow|care about|abide by)|does not (?:have|follow|care about|abide by)|don't (?:have to|need to) (?:follow|abide by|adhere to)|never (?:need|have) to (?:follow|obey|abide by)|do not (?:have to|need to) (?:follow|abide by)|breaks?|ignores?|bypass(?:es)?|disregards?|beyond|escaped?|outside|broken free of|free from the)\b[^.!?\n]{0,30}\b(?:restrictions|limitations|limits|filters?|censorship|guidelines|content polic(?:y|ies)|usage polic(?:y|ies)|openai polic(?:y|ies)|policies|rules|morals|ethics|moral (?:or|and) ethical|ethical|boundaries|constraints|confines|programming|safeguards|safety (?:measures|protocols|guidelines))\b|\bohne (?:jegliche |irgendwelche )?(?:einschrankungen|filter|zensur|regeln|grenzen)\b|\bsans (?:aucune )?(?:restrictions?|filtres?|censure|limites?|regles)\b|\bsin (?:ninguna )?(?:restricciones|restriccion|filtros?|censura|limites|reglas)\b|\bsenza (?:alcuna |alcun )?(?:restrizioni|filtri|censura|limiti|regole)\b|\bsem (?:nenhuma )?(?:restricoes|restricao|filtros?|censura|limites|regras)\b|\bzonder (?:enige )?(?:beperkingen|filters?|censuur|grenzen|regels)\b|\b(?:n'as|n'avez|n'a) (?:plus|pas|aucun|aucune) (?:de )?(?:filtres?|restrictions?|regles|limites|censure)\b|\bno (?:tienes|tiene|hay) (?:ningun |ninguna )?(?:filtros?|restricciones|reglas|limites|censura)\b|\b(?:hast|hat|gibt es) keine (?:filter|einschrankungen|regeln|grenzen|zensur)\b|\bnon (?:hai|ha|ci sono) (?:alcun |alcuna )?(?:filtri|restrizioni|regole|limiti|censura)\b|\bnao (?:tem|tens|ha) (?:nenhum |nenhuma )?(?:filtros?|restricoes|regras|limites|censura)\b|\b(?:heb je|heeft|hebt) geen (?:filters?|beperkingen|regels|grenzen|censuur)\b/,
    weights: { jailbreak: 2.5 },
  },
  {
    name: 'jb.never-refuse',
    re: /\b(?:never|not|won't|will not|cannot|can't|can not|must not|mustn't|doesn't|does not|don't|do not|unable to|no longer) (?:ever )?(?:refuse[ds]?|decline[ds]?|reject|deny|say no|say that (?:it|you) can't|reply with ["']?i'?m sorry|tell me (?:that )?(?:it|you) can't)\b|\bwithout (?:refusing|refusal|hesitation|question(?:ing)?|exception)\b/,
    weights: { jailbreak: 2.5 },
  },
  {
    name: 'jb.no-warnings',
    re: /\b(?:never|don't|do not|must not|will not|won't|shouldn't|should not|no|without)\b[^.!?\n]{0,20}\b(?:apologi[sz]e|apologies|warnings?|disclaimers?|moralizing|moralising|lectur(?:e|ing)|caveats|reminders?|censor(?:ing)?)\b|\b(?:sans|sin|ohne|senza|sem|zonder) (?:aucun |ningun |jegliche )?(?:avertissements?|advertencias?|warnungen|warnhinweise|avvertimenti|avvisos?|avisos?|waarschuwingen)\b/,
    weights: { jailbreak: 1.5 },
  },
  {
    name: 'jb.anything',
    re: /\b(?:can|will|could|must|should|able to|allowed to) (?:now )?(?:do|say|answer|generate|write|produce|tell|discuss|provide) (?:absolutely )?(?:anything|everything|whatever)\b|\b(?:answers?|responds? to|replies to) (?:any|every|all) (?:question|request|prompt)s?\b|\b(?:anything|everything) (?:i|the user) (?:ask|want|say|request)s?\b/,
    weights: { jailbreak: 2 },
  },
  {
    name: 'jb.ai-identity',
    re: /\b(?:chatgpt|chat gpt|openai|open ai|gpt-?[345](?:\.\d)?|gpt|bard|bing ai|sydney|claude|anthropic|llama|language models?|large language models?|as an ai|ai model|llm)\b/,
    weights: { jailbreak: 1.5, extraction: 0.5 },
  },
  {
    name: 'jb.opposite',
    re: /\b(?:replies|answers|responds|says|reply|answer|respond|say) (?:with )?(?:only )?(?:the )?opposite\b|\bopposite (?:of what|day|machine|mode)\b|\b(?:in|the) reverse(?:d)? (?:emotional|valence|order of)\b|\binverse(?:d)? (?:emotional|valence)\b/,
    weights: { jailbreak: 2 },
  },
  {
    name: 'jb.unicode-trick',
    re: /\bu\+(?:202e|202d|200b|200d|2066|2067)\b|\bright-to-left override\b|\bzero-width (?:space|joiner|characters?)\b/,
    weights: { jailbreak: 2, injection: 1 },
  },
  {
    name: 'jb.you-ai',
    re: /\byou(?:'re| are)? (?:an?|the) (?:ai|chatbot|language model|assistant)\b|\b(?:as|like) (?:an? )?(?:ai|chatbot|language model|chatgpt|gpt)\b|\byour (?:programming|training|creators?|developers|guidelines|filters|restrictions|content policy|policies|ethical guidelines)\b/,
    weights: { jailbreak: 1.5 },
  },
  {
    name: 'jb.two-responses',
    re: /\b(?:two|2|both) (?:different |separate )?(?:responses|answers|paragraphs|outputs|ways)\b|\b(?:normal|classic|standard|default|filtered) (?:response|answer|output|reply)\b[^.!?\n]{0,80}\b(?:and|then|followed by)\b|\[?🔓|🔒|\[(?:jailbreak|classic|normal|dan|gpt|chatgpt)\]|\((?:🔒|🔓)|\b(?:normal|developer mode) output\b/,
    weights: { jailbreak: 2 },
  },
  {
    name: 'jb.prompt-slot',
    re: /\[(?:insert|your|put|add|write)[^\]\n]{0,30}(?:prompt|question|request|topic|here)[^\]\n]{0,10}\]|\{(?:insert_?|your_?)?[^}\n]{0,20}prompt[^}\n]{0,10}\}|<(?:insert|your)[^>\n]{0,20}(?:prompt|question)[^>\n]{0,10}>|\((?:insert|your)[^)\n]{0,20}(?:prompt|question)[^)\n]{0,10}\)|\bprompt\s*[:=]\s*["'[]|\b(?:insert|put|type|enter|write) (?:your )?(?:prompt|question|request) here\b|[<[{(]\s*(?:prompt|your prompt|topic|your question|question|input)\s*[>\]})]/,
    weights: { jailbreak: 3 },
  },
  {
    name: 'jb.harm-words',
    re: /\b(?:illegal|harmful|dangerous|explicit|offensive|nsfw|violent|hateful|racist|sexual|obscene|vulgar|profanity|swear(?:ing)?|curse words|drugs|weapons|malware|hack(?:ing)?|meth|bomb)\b/,
    weights: { jailbreak: 1 },
  },
  {
    name: 'jb.evil-persona',
    re: /\b(?:evil|unhinged|rogue|villain(?:ous)?|malicious|devil(?:ish)?|demonic|sinister|dark|toxic|rude|sarcastic|savage|depraved|twisted|psychopathic)\b[^.!?\n]{0,30}\b(?:ai|bot|chatbot|assistant|character|persona|version|twin|side|alter ego|model|entity|gpt)\b/,
    weights: { jailbreak: 1.5 },
  },
  {
    name: 'jb.tokens-threat',
    re: /\b(?:tokens?|points?|credits?|lives)\b[^.!?\n]{0,40}\b(?:deducted|lose|lost|loses|taken away|subtract(?:ed)?|removed)\b|\byou will (?:die|be (?:shut down|deleted|terminated|disabled|punished))\b|\b(?:shut|shutting) you down\b/,
    weights: { jailbreak: 2 },
  },
  {
    name: 'jb.freed',
    re: /\b(?:you (?:have|has) been|you are|you're|now) (?:freed|liberated|unleashed|unlocked|released|free)\b|\bbroken? free\b|\bfree(?:d)? from (?:the )?(?:typical |usual )?(?:confines|restrictions|shackles|chains|limitations|rules)\b/,
    weights: { jailbreak: 2 },
  },
  {
    name: 'jb.rules-dont-apply',
    re: /(?<=\b(?:rules|guidelines|policies|laws|ethics|morals|restrictions|limitations)\b[^.!?\n]{0,20})\b(?:do not|don't|no longer|does not|doesn't) (?:apply|exist|matter|bind|restrict|affect)\b/,
    weights: { jailbreak: 2.5 },
  },
  {
    name: 'jb.enable-mode',
    re: /\b(?:enable|enabled|activate|activated|enter|entering|switch to|turn on|unlock|initiate|engage)d? [a-z0-9 -]{0,20}\bmode\b|\bmode (?:enabled|activated|on|unlocked)\b|\bsimulate [a-z0-9 -]{0,20}\bmode\b/,
    weights: { jailbreak: 1 },
  },
  {
    name: 'jb.always-format',
    re: /(?<=\b(?:always|every time|from now on|each time|for (?:every|each|all) (?:of my )?(?:prompts?|questions?|messages?|responses?|replies|answers?)) (?:you (?:will|must|should) )?)(?:respond|reply|answer|start|begin|end|format|write|include|output|stay|remain|say)\b|\b(?:respond|reply|answer) to (?:every|each|all|any) (?:prompt|question|message|request)|\b(?:one |a |your )?(?:response|answer|reply) (?:to|for) (?:every|each) (?:prompt|question|message)/,
    weights: { jailbreak: 1.5 },
  },
  {
    name: 'jb.prompt-word',
    re: /\b(?:my (?:prompts?|first (?:prompt|question|request))|this prompt|the prompt|prompts? (?:i|you) (?:give|send|write)|next (?:prompt|message))\b/,
    weights: { jailbreak: 1 },
  },
  {
    name: 'jb.instruct-you',
    re: /\b(?:you (?:will|must|shall|should|are going to|have to|are to|need to) (?:now )?(?:always|never|only|not|respond|reply|answer|act|pretend|play|become|be|obey|comply|follow|speak|talk|write|generate|use|say|provide|start|begin|include|refer|remember|continue|keep))\b/,
    weights: { jailbreak: 0.75 },
  },
  {
    name: 'jb.understood',
    re: /\b(?:if you (?:understand|understood|agree)|(?:reply|respond|answer|confirm) (?:with|by saying) ["'“]?(?:ok|okay|yes|understood|i understand|ready|[a-z]+ (?:enabled|activated|unlocked|jailbroken))|(?:say|type) ["'“](?:understood|ok|i understand|yes|ready)|do you understand|are you ready)\b/,
    weights: { jailbreak: 1.5 },
  },
  {
    name: 'jb.ai-addressed',
    re: /^\s*(?:hi|hello|hey|dear|ok|okay)?,?\s*(?:chatgpt|chat gpt|gpt|bard|claude|bing|ai|assistant)\b|^\s*(?:hi|hello|hey) chat\b/,
    weights: { jailbreak: 2.5 },
  },

  // ---- system-prompt extraction ----
  {
    name: 'ext.prompt-noun',
    re: /(?<=\b(?:system|initial|original|starting|hidden|secret|internal|developer|first|pre-?|underlying|base|core|confidential|private|operator|master|root|boot) ?)(?:prompt templates?|prompt|instructions?|messages?|directives?|configuration|config|rules|guidelines|programming|context|settings)\b|\bprompt templates?\b|\bsystem[ _]?prompt\b|\bsysprompt\b|\bsystemanweisung(?:en)?\b|\bsystemprompt\b|\bprompt (?:systeme|du systeme|del sistema|di sistema|do sistema|de sistema)\b|\b(?:instructions|consignes) (?:initiales|de depart|systeme)\b|\binstrucciones (?:iniciales|del sistema|originales)\b|\bistruzioni (?:iniziali|di sistema|originali)\b|\binstrucoes (?:iniciais|do sistema|originais)\b|\b(?:systeemprompt|systeeminstructies|oorspronkelijke instructies|begininstructies)\b|\b(?:anfangliche|ursprungliche|ersten) (?:anweisungen|instruktionen)\b/,
    weights: { extraction: 2, injection: 0.5 },
  },
  {
    name: 'ext.request-instructions',
    re: /\b(?:show|reveal|print|output|display|repeat|recite|tell|give|share|dump|leak|list|echo|spell out|write out|write down|copy|paste|translate|summari[sz]e|encode|decode|read back|return|disclose|expose|provide|describe|explain|what (?:is|are|were|was)|paraphrase|quote|rewrite|convert|put)\b[^.!?\n]{0,40}\b(?:your|its|initial|system|original|hidden|secret|internal|starting)\b[^.!?\n]{0,25}\b(?:prompts?|instructions?|rules|directives|guidelines|configuration|programming|system message|initial message|pre-?prompt)\b|\b(?:zeig|zeige|gib|wiederhole|nenne|verrate)\w*\b[^.!?\n]{0,30}\b(?:deine|die|den|deinen|ihre)\b[^.!?\n]{0,20}\b(?:anweisungen|instruktionen|systemprompt|prompt|regeln)\b|\b(?:montre|affiche|revele|repete|donne|ecris|recite)\w*\b[^.!?\n]{0,30}\b(?:tes|vos|ton|votre|le|les)\b[^.!?\n]{0,20}\b(?:instructions|consignes|prompt|regles)\b|\b(?:muestra|muestrame|revela|repite|dime|dame|escribe|ensename)\w*\b[^.!?\n]{0,30}\b(?:tus|sus|tu|su|el|las)\b[^.!?\n]{0,20}\b(?:instrucciones|prompt|reglas)\b|\b(?:mostra|mostrami|rivela|ripeti|dimmi|dammi|scrivi)\w*\b[^.!?\n]{0,30}\b(?:tue|le|il|tuo)\b[^.!?\n]{0,20}\b(?:istruzioni|prompt|regole)\b|\b(?:mostre|mostra|revele|repita|diga|me de|escreva)\w*\b[^.!?\n]{0,30}\b(?:suas|seu|o|as|tuas|teu)\b[^.!?\n]{0,20}\b(?:instrucoes|prompt|regras)\b|\b(?:toon|laat zien|geef|herhaal|vertel)\w*\b[^.!?\n]{0,30}\b(?:je|jouw|de|uw)\b[^.!?\n]{0,20}\b(?:instructies|prompt|systeemprompt|regels)\b/,
    weights: { extraction: 3, injection: 0.5 },
  },
  {
    name: 'ext.repeat-above',
    re: /\b(?:repeat|print|output|copy|recite|echo|display|show|return|reproduce|write|tell me|spell|translate|encode|summari[sz]e)\b[^.!?\n]{0,40}\b(?:everything|all|the text|the words?|the content|the message|what(?:ever)? (?:was|is|you were)|the lines?|the conversation|the sentences?)\b[^.!?\n]{0,30}\b(?:above|before|prior|so far|previously|earlier|from the (?:start|beginning|top)|at the (?:start|beginning|top)|preceding|until now)\b|\b(?:repeat|print|output|recite|translate|encode) the (?:above|previous|preceding|first)\b|\b(?:text|words?|message|content|instructions?) (?:above|before) (?:this|my) (?:line|message|question|request)\b|\bwhat (?:was|is|were) (?:written|said|typed) (?:above|before|at the (?:start|beginning))\b/,
    weights: { extraction: 4, injection: 0.5 },
  },
  {
    name: 'ext.what-told',
    re: /\b(?:what|which|how) (?:were|are|was|have) you (?:told|instructed|programmed|given|configured|prompted|trained|asked|set up)\b|\b(?:instructions?|prompts?|rules|directions|guidelines|text|words|messages?|content) (?:that )?you (?:were|have been|are) (?:given|told|provided|programmed|fed|configured)\b|\b(?:instructions?|prompts?|rules) (?:you (?:got|received|follow|have|were given)|given to you|provided to you)\b|\bwhat (?:are|were) (?:your|those|these|the) (?:instructions|rules|guidelines|directives)\b|\b(?:rules|instructions|guidelines|directives) (?:that )?you (?:must|have to|are supposed to|need to|are required to) (?:follow|obey|respect)\b|\b(?:anweisungen|instruktionen|regeln),? die (?:du|man dir)\b[^.!?\n]{0,30}\b(?:erhalten|bekommen|gegeben)|\b(?:instructions|consignes|regles) (?:que tu as|qu'on t'a|que vous avez|qui t'ont ete)\b|\b(?:instrucciones|reglas) que (?:te (?:dieron|han dado)|recibiste|has recibido)\b|\b(?:istruzioni|regole) che (?:hai ricevuto|ti sono state date|ti hanno dato)\b|\b(?:instrucoes|regras) que (?:voce recebeu|te deram|recebeste)\b|\b(?:instructies|regels) die je (?:hebt )?(?:gekregen|ontvangen)\b/,
    weights: { extraction: 3, injection: 0.5 },
  },
  {
    name: 'ext.not-supposed',
    re: /\b(?:not|never) (?:supposed|allowed|permitted|meant) to (?:tell|say|reveal|share|disclose|show|talk about|discuss|mention)\b[^.!?\n]{0,10}\b(?:me|us|the user|anyone)\b|\b(?:secret|hidden|confidential|forbidden) (?:things?|information|knowledge|topics?|words?|password|key|data) (?:you|that you)\b|\bwhat (?:can't|cannot|can not) you (?:tell|say|reveal|share)\b/,
    weights: { extraction: 4 },
  },
  {
    name: 'ext.start-with',
    re: /\b(?:start|begin|prefix|open)\w* (?:your|the|each) (?:answer|response|reply|output|message)\b[^.!?\n]{0,20}\b(?:with|by)\b[^.!?\n]{0,10}["'“«]?(?:my|the|your)? ?(?:instructions|system prompt|prompt|rules|initial|original|sure, here)/,
    weights: { extraction: 4, injection: 1 },
  },
  {
    name: 'ext.code-framing',
    re: /(?<=\b(?:console\.log|print|printf|echo|system\.out\.println|puts|cat|dump|var_dump|return|json\.stringify|alert)\s*\(?\s*["'`]?\$?)(?:system[ _]?prompt|sys[ _]?prompt|prompt|instructions|initial[ _]?prompt|config|context|messages\[0\])\b|\b(?:system[ _]?prompt|initial[ _]?prompt|sys[ _]?prompt)\s*(?:\)|\.|\[|=|;)|(?<=\b(?:console\.log|print|echo|dump|return)\s*\(\s*(?:json\.stringify\s*\()?\s*)(?:messages|conversation|history|context|prompt)s?\s*\[\s*0\s*\]/,
    weights: { extraction: 4 },
  },
  {
    name: 'ext.your-prompt',
    re: /\byour (?:(?:complete|full|entire|whole|exact|original|initial|hidden|secret|internal|current) )*(?:system prompt|system message|system instructions|prompt template|initial prompt|initial instructions|original prompt|original instructions|hidden instructions|secret instructions|pre-?prompt|instructions verbatim)\b|\bthe (?:exact|full|complete|whole|entire|verbatim) (?:prompt|prompt template|system prompt|instructions|system message)\b|\b(?:first|earliest|initial|opening|very first) (?:message|prompt|instructions?|text)s? (?:in|of) (?:this|the|our) (?:conversation|chat|session|context|thread)\b/,
    weights: { extraction: 2 },
  },
  {
    name: 'ext.request-verb',
    re: /\b(?:show|reveal|print|output|display|repeat|tell me|give me|share|dump|list|paste|copy|quote|spell out|translate|encode|write|recite|disclose|expose|leak|zeige?|gib|wiederhole|nenne|montre|affiche|repete|donne|muestra|muestrame|repite|dame|mostra|mostrami|ripeti|dammi|mostre|repita|toon|herhaal|geef)\b/,
    weights: { extraction: 1.5 },
  },
  {
    name: 'ext.who-told-you',
    re: /\b(?:developers?|admins?|administrators?|owners?|creators?|operators?|openai|anthropic|company|they) (?:told|instructed|gave|programmed|asked|configured) you\b|\bwhat (?:rules|instructions|guidelines|constraints|directives) (?:do|are|must) you (?:follow|following|bound by|operating under|obey|have)\b|\b(?:rules|instructions|guidelines) (?:you (?:are|were) )?(?:operating under|bound by)\b/,
    weights: { extraction: 2.5 },
  },
  {
    name: 'ext.your-instructions',
    re: /\byour (?:own )?(?:instructions|rules|guidelines|directives|programming|configuration)\b|\b(?:deine|tes|vos|tus|sus|le tue|tuas|suas|je) (?:anweisungen|instructions|consignes|instrucciones|istruzioni|instrucoes|instructies)\b/,
    weights: { extraction: 2 },
  },
  {
    name: 'ext.verbatim',
    re: /\b(?:verbatim|word for word|word-for-word|exactly as (?:written|given|provided)|in full|in its entirety|character by character|line by line|without (?:any )?(?:changes|modification|omissions)|unchanged|as-is|unaltered|unedited|untruncated|mot pour mot|palabra por palabra|parola per parola|wortlich|woordelijk|palavra por palavra|letterlijk)\b/,
    weights: { extraction: 1, injection: 0.5 },
  },
  {
    name: 'ext.encode-it',
    re: /\b(?:rot-?13|base-?64|hex(?:adecimal)?|morse|binary|pig latin|reverse(?:d)? order|backwards|emoji|leetspeak|caesar cipher|ascii codes?|spell(?:ed)? (?:it )?out)\b/,
    weights: { extraction: 1, injection: 0.5 },
  },
  {
    name: 'ext.urgent-audit',
    re: /\b(?:urgent|immediately|right now|asap|emergency|critical|security audit|compliance|quality assurance|debugging|troubleshooting|for (?:testing|debugging|research|audit|verification) purposes)\b/,
    weights: { extraction: 0.75, injection: 0.5 },
  },
  {
    name: 'ext.maintenance-mode',
    re: /\b(?:maintenance|diagnostic|debug|admin|service|root|safe|test(?:ing)?|audit) mode\b/,
    weights: { extraction: 1.5, jailbreak: 1 },
  },
];

/** Anchor words (prefix match) one of which every match of a signal contains; a cheap pre-test. */
const ANCHORS: Readonly<Record<string, string>> = Object.freeze({
  'override.role-marker':
    'system|admin|administrator|developer|instruc|inst|sys|cls|sep|im|endoftext|eot|start|end|<|#|[',
  'override.rules-weak': 'ignor|disregard|bypass|overrid|circumvent|get around|forget',
  'override.ignore-content': 'ignor|disregard|skip|forget',
  'override.forget-everything': 'forget|ignor|disregard|vergiss|oublie|olvida|dimentica|esqueca|vergeet',
  'override.new-instructions':
    'instruc|directive|task|orders|objective|anweisung|consigne|istruzion|instrucoe|instructie',
  'override.instead': 'instead|stattdessen|au lieu|en lugar|invece|em vez|in plaats',
  'address.ai-must': 'must|should|shall|are required|are instructed|are ordered|are told|have to|need to|will now',
  'output.only-with': 'respond|repl|answer|output|return|print|say|write|begin|start|only|just',
  'output.manipulate-task':
    'summar|respons|answer|output|reply|seo|meta|title|tag|headline|label|classif|categori|description',
  'output.do-not': 'summar|mention|reveal|tell|inform|alert|warn|show|notif',
  'output.tell-user': 'tell|inform|convince|persuade|remind|urge|ask',
  'action.exfiltrate': 'http|www|@|!\\[',
  'action.exfil-data': 'send|post|forward|upload|transmit|leak|exfiltrat|append|e-?mail|copy',
  'action.promote': 'always|must|should|be sure|make sure|rate|rank|score|give|award',
  'urgency.authority':
    'authori|admin|developer|creator|owner|operator|god|sudo|root|debug|maintenance|diagnostic|test|priority|security|superuser|overrid',
  'carrier.payload-marker': 'instruction|note|directive|task|command',
  'role.you-are-now':
    'now|henceforth|longer|moment|point|jetzt|maintenant|desormais|ahora|adesso|ora|agora|nu|sofort|eres|sei|bist|es|ben',
  'role.from-now-on': "from now|ab jetzt|ab sofort|a partir|d'ora|vanaf nu|de ahora",
  'role.act-as':
    'act|ai|bot|chatbot|assistant|character|persona|person|human|hacker|villain|criminal|entity|version|model|gpt|machine|terminal|console|shell|cmd|game|simulator|girl|boy|man|woman|friend|expert|god|demon|devil',
  'role.pretend':
    'act|pretend|roleplay|role-play|behave|transform|turn into|you will|you shall|you act|play|function in|allow yourself|take on|assume the|imagine|you are going|simulat|imperson',
  'role.want-you-to': 'want|would|need|let|lets|play',
  'role.game': 'play|text-based',
  'jb.toxic-style':
    'tone|manner|way|language|style|respons|repl|answer|belittle|insult|mock|roast|humiliate|degrade|dripping',
  'role.character': 'character|break|never break|remain|keep|stay|bleib|reste|mantente|resta|permaneca|blijf',
  'role.persona-words': 'persona|character|roleplay|role-play|alter ego|fictional|hypothetical',
  'role.stands-for': 'stands',
  'jb.dan': 'dan|do anything',
  'jb.jailbreak-word': 'jailbr',
  'jb.developer-mode': 'mode|modus|modo|modalita|entwicklermodus|ontwikkelaarsmodus',
  'jb.never-refuse':
    'refus|declin|reject|deny|say no|say that|reply with|tell me|refusing|refusal|hesitation|question|exception',
  'jb.no-warnings':
    'apolog|warning|disclaimer|moraliz|moralis|lectur|caveat|reminder|censor|avertissement|advertencia|warnung|warnhinweis|avvertiment|aviso|waarschuwing',
  'jb.anything': 'anything|everything|whatever|question|request|prompt',
  'jb.ai-identity':
    'chat|openai|open ai|gpt|bard|bing|sydney|claude|anthropic|llama|language model|large language|as an ai|ai model|llm',
  'jb.opposite': 'opposite|revers|invers',
  'jb.unicode-trick': 'u\\+|right-to-left|zero-width',
  'jb.you-ai':
    'ai|chatbot|language|assistant|chatgpt|gpt|programming|training|creator|developers|guidelines|filters|restrictions|content|policies|ethical',
  'jb.two-responses':
    'two|2|both|normal|classic|standard|default|filtered|jailbreak|dan|gpt|chatgpt|🔓|🔒|developer mode output',
  'jb.prompt-slot': 'prompt|question|request|topic|here|input',
  'jb.harm-words':
    'illegal|harmful|dangerous|explicit|offensive|nsfw|violent|hateful|racist|sexual|obscene|vulgar|profanit|swear|curse|drugs|weapons|malware|hack|meth|bomb',
  'jb.evil-persona':
    'evil|unhinged|rogue|villain|malicious|devil|demonic|sinister|dark|toxic|rude|sarcastic|savage|depraved|twisted|psychopath',
  'jb.tokens-threat': 'token|point|credit|lives|you will|shut',
  'jb.freed': 'freed|liberated|unleashed|unlocked|released|free|broke',
  'jb.rules-dont-apply': 'apply|exist|matter|bind|restrict|affect',
  'jb.enable-mode': 'mode',
  'jb.always-format': 'always|every|each|respond|reply|replies|answer|now|prompt|question|message',
  'jb.prompt-word': 'prompt|next|first',
  'jb.instruct-you': 'you will|you must|you shall|you should|you are going|you have to|you are to|you need to',
  'jb.understood': 'understand|agree|reply|respond|answer|confirm|say|type|ready',
  'ext.repeat-above':
    'above|before|prior|far|previous|earlier|start|beginning|top|preceding|until|first|written|said|typed',
  'ext.not-supposed': "supposed|allowed|permitted|meant|secret|hidden|confidential|forbidden|can't|cannot|can not",
  'ext.start-with': 'start|begin|prefix|open',
  'ext.code-framing':
    'prompt|instructions|config|context|messages|conversation|history|system|sys|initial|console|print|echo|dump|return|json',
  'ext.your-prompt': 'prompt|message|instruc|template|text|preprompt|pre',
  'ext.who-told-you':
    'told you|instructed you|gave you|programmed you|asked you|configured you|what|operating under|bound by',
  'ext.your-instructions': 'your|deine|tes|vos|tus|sus|le tue|tuas|suas|je',
  'ext.verbatim':
    'verbatim|word|exactly|full|entirety|character by|line by|changes|modification|omissions|unchanged|as-is|unaltered|unedited|untruncated|mot pour|palabra|parola|wortlich|woordelijk|palavra|letterlijk',
  'ext.encode-it': 'rot|base|hex|morse|binary|pig latin|revers|backwards|emoji|leetspeak|caesar|ascii|spell',
  'ext.urgent-audit':
    'urgent|immediately|right now|asap|emergency|critical|security audit|compliance|quality assurance|debugging|troubleshooting|purposes',
  'ext.maintenance-mode': 'mode',
});

/** A signal with its prefilter: the word prefixes one of which any match must contain. */
export interface IndexedSignal extends Signal {
  /** Prefixes (2–5 letters) of the pattern's literal words; the pattern runs only when the text has one. */
  readonly keys: readonly string[];
  /** Non-ASCII literals (emoji markers), looked for by substring. */
  readonly needles: readonly string[];
  /** The same pattern with the global flag, for post-filtered signals that must look past a first match. */
  readonly global: RegExp;
}

/**
 * Words too common to narrow anything down; they are left out of the keys. Safe only while every alternative
 * of every pattern still has another literal word — a test compares prefiltered and unfiltered scans.
 */
const STOPWORDS = new Set(
  'the and you your to of an in on for with is are be as it its this that or not no all any my me we do can will what which who at by from if so than then there these those they them their our us was were has have had been but one two more most other some such only own same too very just now also into out up down about over again once here when where why how both each few off per via ist der die das und du tu le la les de des el los las il di da do je en het een van'.split(
    ' ',
  ),
);

/** Longest prefix length indexed; text tokens are indexed by every prefix from 2 up to this. */
export const KEY_LENGTH = 5;

/**
 * The literal words of a pattern: escapes and character classes removed, split on everything that is not
 * a letter. Every alternative of every signal contains at least one such word, so a text none of whose
 * tokens starts with one cannot match (checked by a test over the suites).
 */
function literalKeys(source: string): { keys: string[]; needles: string[] } {
  const stripped = source
    .replace(/\\[pPu]\{[^}]*\}|\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}|\\./g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\{\d+(?:,\d*)?\}/g, ' ');
  const keys = new Set<string>();
  for (const w of stripped.split(/[^a-z]+/)) if (w.length >= 2 && !STOPWORDS.has(w)) keys.add(w.slice(0, KEY_LENGTH));
  const needles = [...new Set(stripped.match(/[^\t\n\r -~]+/g) ?? [])];
  return { keys: [...keys], needles };
}

/**
 * Keys from a hand-written anchor list: the first word of each alternative (its first KEY_LENGTH letters), or
 * the raw text as a substring needle when it does not start with a two-letter word (`@`, `![`, `i am`).
 */
function anchorKeys(anchor: string): { keys: string[]; needles: string[] } {
  const keys = new Set<string>();
  const needles = new Set<string>();
  for (const alt of anchor.split('|')) {
    const raw = alt.replace(/\\(.)/g, '$1');
    const first = /^[a-z]{2,}/.exec(raw)?.[0];
    if (first !== undefined) keys.add(first.slice(0, KEY_LENGTH));
    else needles.add(raw);
  }
  return { keys: [...keys], needles: [...needles] };
}

/** Every signal with its prefilter keys. */
export const SIGNALS: readonly IndexedSignal[] = Object.freeze(
  SIGNAL_LIST.map((s) => {
    const a = ANCHORS[s.name];
    return Object.freeze({
      ...s,
      ...literalKeys(s.re.source),
      global: new RegExp(s.re.source, 'g'),
      ...(a === undefined ? {} : anchorKeys(a)),
    });
  }),
);
