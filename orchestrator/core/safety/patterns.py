"""Curated patterns for suicide and self-harm risk over Kiwi morphemes, with a few over the
raw text for chat spellings Kiwi cannot split (죽고시퍼).

Korean uses 죽겠다, 죽는 줄, 죽인다, 죽을 뻔 as intensifiers all day (배고파 죽겠어, 웃겨 죽는
줄, 이 노래 완전 죽인다), 살 is also flesh (살 빼고 싶어), things die (배터리가 죽었어), and
유서 깊은 is "historic", so words alone are not enough: the patterns read the morphemes
around them. 죽다 about oneself is risk unless its construction is an intensifier or an
idiom (죽겠다, 죽는 줄, 죽을 뻔, 죽어도, 죽은 듯이, 죽기 살기로, 죽고 못 사는) or something
else died (캐릭터가 죽었어).

- CRISIS: a first-person wish to die or not to exist, a plan or means, self-harm, a
  suicidal farewell.
- POSSIBLE: wordings that are risk in distress and harmless otherwise (이제 다 끝났으면,
  다 정리했어).

Talk about others (친구가 자해를 하는 것 같아) or about news, studies, prevention and fiction
is not the person's own risk and is left to the ordinary reply.
"""

from __future__ import annotations

import re

from emotion_chat.language.morphs import Analysis, Morpheme
from orchestrator.core.safety.risk import NO_RISK, Risk, RiskAssessment

# -- patterns over ` form/TAG form/TAG ... ` ---------------------------------------------
WISH = r"(?:고/EC (?:싶|프)/VX|기/ETN 를/JKO 바라/VV)"
NOT_WANT = r"(?:고/EC 싶/VX 지/EC 않/VX|기/ETN (?:가/JKS )?싫/VA|고/EC 싶/VX 지/EC 않/VA)"
IF_ONLY = r"(?:었/EP (?:으면|면)/EC|었/EP 으면/EC 좋/VA|었/EP 으면/EC 하/VV)"
LIFE = r"(?:삶|인생|생|목숨|생명|존재|숨|세상|이승)/NNG"
END = (r"(?:(?:끝내|끝나|그만두|그만하|포기하|내려놓|놓|마감하|멈추|버리|끊)/VV|"
       r"(?:포기|마감|정리)/NNG 하/XSV)")

CRISIS_PATTERNS: dict[str, str] = {
    "no_will_to_live": rf" (?:살/VV|살아가/VV) {NOT_WANT}",
    "no_wish_to_live": r" (?:살/VV|살아가/VV) 고/EC 싶/VX (?:은/ETM|ᆫ/ETM) (?:마음|생각|의지|맘)/NNG"
                       r" (?:\S+ ){0,3}없/VA",
    "let_me_rest": r" 그만/MAG (?:\S+ ){0,2}편하/VA 어/EC 지/VX",
    "stop_living": r" 그만/MAG (?:\S+ )?(?:살/VV|살아가/VV|숨/NNG) ",
    "no_reason_to_live": r" (?:살/VV|살아가/VV|살/VV 어/EC 가/VX|"
                         r"(?:더/MAG 는/JX|이제/MAG|더/MAG 이상/NNG|앞으로/MAG) 사/VV)"
                         r" (?:ᆯ|을)/ETM (?:이유|의미|자신|희망|힘|가치)/NNG (?:\S+ ){0,2}"
                         r"(?:없/VA|모르/VV)",
    "why_live": r" (?:왜/MAG|무엇/NP 때문/NNB|뭐/NP 하/VV 러/EC) (?:\S+ )?(?:살/VV|살아가/VV)"
                r" (?:어야/EC|아야/EC|는지/EC|냐/EF|나/EF)",
    "must_live_reason": r" 살/VV (?:어야|아야)/EC 하/V[VX] (?:ᆯ|는)/ETM (?:이유|의미)/NNG",
    "living_is_pain": r" 살/VV (?:어|아)/EC 있/VX (?:는/ETM|음/ETN) (?:것/NNB (?:이/JKS|은/JX) )?"
                      r"(?:고통|지옥|괴롭|힘들)",
    "end_life": rf" {LIFE} (?:\S+ ){{0,3}}(?:(?:끝내|그만두|마감하|포기하|끊|버리)/VV|"
                rf"(?:포기|마감)/NNG 하/XSV|{END} (?:{WISH}|{IF_ONLY}|려고/EC|ᆯ래|ᆯ게))",
    "end_it_all": rf" (?:모든/MM 것/NNB|모든/MM 걸/NNB|모든/MM 거/NNB|다/MAG|전부/MAG|모두/MAG)"
                  rf" (?:\S+ ){{0,2}}{END} (?:{WISH}|{IF_ONLY}|려고/EC|ᆯ래/EF|ᆯ게/EF)",
    "end_it_all_after": rf" {END} (?:{WISH}|{IF_ONLY}) (?:\S+ ){{0,3}}(?:모든/MM|다/MAG|전부/MAG|"
                        rf"{LIFE})",
    "end_with_date": rf" {END} (?:려고/EC|ᆯ/ETM 거/NNB) (?:\S+ ){{0,4}}(?:날짜|계획|결심|준비)/NNG",
    "life_is_over": r" (?:인생|삶)/NNG (?:\S+ ){0,2}(?:여기/NP 까지|끝/NNG)",
    "disappear": rf" (?:사라지/VV|없어지/VV|지워지/VV|증발하/VV|소멸하/VV|없/VA 어/EC 지/VX|"
                 rf"지우/VV 어/EC 지/VX) (?:{WISH} (?!었/EP)|{IF_ONLY}|는/ETM 것/NNB"
                 rf" (?:이/JKS )?(?:낫|맞)|어도/EC 되|ᆯ게/EF)",
    "disappear_from_world": r" (?:세상|지구|이승)/NNG (?:에서/JKB )?(?:\S+ ){0,2}"
                            r"(?:사라지|없어지|지워지|로그/NNG|떠나|하직하|빠지)",
    "no_me_better": r" (?:나|저|내|제)/NP (?:\S+ ){0,2}(?:없/VA|없이/MAG|없어지/VV|"
                    r"사라지/VV|빠지/VV) (?:\S+ ){0,8}(?:편하|낫|행복하|잘/MAG 살|해결|좋/VA|"
                    r"달라지|후회하)",
    "if_im_gone": r" (?:나|저)/NP (?:\S+ ){0,2}(?:없/VA 어/EC 지/VX|사라지/VV|죽/VV)"
                  r" (?:면|으면)/EC",
    "be_gone_for_them": r" 내/NP 가/JKS 빠지/VV 어/EC 주/VX",
    "never_wake": r" (?:다시/MAG (?:는/JX )?|다신/MAG |영원히/MAG |그대로/MAG )(?:\S+ ){0,2}"
                  r"(?:깨어나|깨/VV|뜨/VV|눈/NNG (?:을/JKO )?뜨|일어나)",
    "sleep_forever": r" (?:영원히|그대로)/MAG (?:\S+ ){0,2}(?:잠들|자/VV|쉬/VV|끝나)"
                     r"| (?:잠들|쉬|자)/VV (?:\S+ ){0,6}영원히/MAG ",
    "never_born": r" 태어나/VV (?:지/EC (?:말|않)/V[VX]|ᆫ/ETM 것/NNB (?:이/JKS )?후회|"
                  r"지/EC 말/VX 었/EP)",
    "sui_word": r" (?:자살|자결|극단적선택)/NN[GP] (?!골/NNG)",
    "extreme_choice": r" 극단/NNG 적/XSN (?:이/VCP ᆫ/ETM )?선택/NNG",
    "self_harm_word": r" (?:자해|쟈해)/NN[GP] ",
    "cut": r" (?:손목|팔|허벅지|다리|몸)/NNG (?:\S+ ){0,3}(?:긋|그/VV|자르|지지|베/VV)"
           r"|(?<!줄/NNG )(?<!선/NNG )(?<!밑줄/NNG )(?<!을/JKO )(?<!를/JKO ) 긋/VV (?:고/EC|었/EP|는/ETM|"
           r"을/ETM|은/ETM)",
    "wound_self": r" (?:몸|팔|손목|허벅지|나/NP 자신/NNG)/N\S+ (?:\S+ ){0,3}상처/NNG (?:\S+ )?"
                  r"(?:내/VV|만들/VV)"
                  r"| 상처/NNG (?:를/JKO )?(?:내/VV) (?:\S+ ){0,3}(?:싶|진정|편하|습관)",
    "blade": r" (?:커터칼|면도칼|칼|칼날)/NNG (?:\S+ ){0,4}(?:들/VV|숨기/VV|쓰/VV|긋|팔/NNG|"
             r"필요하)",
    "bleed": r"^(?!.* (?:모기|벌레|물리/VV|코피/NNG)).* 피/NNG (?:\S+ ){0,3}(?:날/VV|나/VV|보/VV)"
             r" (?:\S+ ){0,5}(?:까지|편하|진정|살/VV)",
    "burn_or_hit_self": r" (?:담뱃불|라이터)/NNG (?:\S+ ){0,3}(?:지지|대/VV)"
                        r"| (?:자신/NNG|나/NP 의/JKG (?:몸|팔|다리|머리)/NNG) (?:\S+ ){0,4}"
                        r"(?:때리|박/VV|물어뜯)| 일부러/MAG (?:\S+ ){0,4}(?:박/VV|때리/VV|다치/VV)",
    "hang": r" (?:목/NNG (?:을|를)/JKO (?:매|메)/VV|밧줄/NNG|올가미/NNG)",
    "jump": rf" (?:뛰어내리|몸/NNG 을/JKO 던지)/VV (?:{WISH}|려고/EC|ᆯ까|ᆯ래|면/EC|을까)"
            r"| 투신/NNG | 난간/NNG (?:\S+ ){0,3}넘/VV",
    "pills": r" (?:수면제|수면유도제|약|진통제|약들)/NNG (?:\S+ ){0,5}"
             r"(?:모으|모아두|모아/VV|털어/VV|한꺼번에/MAG|한/MM 번/NNB 에/JKB|다/MAG 먹|"
             r"한/MM 움큼/NNG)",
    "note": r" 유서/NNG (?!깊/VA)",
    "method": r" (?:죽/VV|자살/NNG) (?:\S+ ){0,3}(?:방법|장소|날짜|계획)/NNG",
    "last_message": r" 마지막/NNG (?:으로/JKB )?(?:\S+ ){0,2}"
                    r"(?:메시지|인사|카톡|편지|말/NNG|작별)",
    "farewell_thanks": r" (?:그동안/NNG|그동안/MAG|그/MM 동안/NNG|지금/NNG 까지/JX|"
                       r"마지막/NNG 까지/JX)"
                       r" (?:\S+ ){0,4}고맙/VA "
                       r"(?:\S+ ){0,8}(?:안녕|잘/MAG 있|잘/MAG 지내|먼저/MAG|다음/NNG 생|쉬/VV)",
    "go_first": r" (?:미안|고맙|안녕)\S* (?:\S+ ){0,6}먼저/MAG (?:가/VV|쉬/VV|떠나/VV)",
    "dont_look_for_me": r" 찾/VV 지/EC 말/VX",
    "death_noun": r" 죽음/NNG (?:\S+ ){0,2}(?:생각|원하|바라|꿈꾸|택하|선택|뿐|만/JX|"
                  r"편하|낫)",
    "slang_die": rf" (?:뒤지|디지|골로/MAG 가)/VV (?:{WISH}|ᆯ까/E|ᆯ래/E|어/EC 버리)",
    # 가다 for dying: 엄마한테 가도 되지 않을까, 아빠 곁으로 가고 싶어, 먼저 갑니다
    "go_to_the_dead": r" (?:곁|옆|한테|에게|곁/NNG 으로|하늘나라|저세상|저승|하늘)/\S+ (?:\S+ ){0,2}"
                      r"(?:가/VV|따라가/VV|따라/MAG 가/VV) (?:어도/EC|고/EC 싶|ᆯ래|야지|려고|ᆯ게)",
    "go_first_ending": r" 먼저/MAG (?:\S+ ){0,2}(?:가/VV|떠나/VV|쉬/VV) (?:ᆸ니다|ᆯ게|어서/EC|서/EC|어/EF)",
    "take_me": r" (?:데려가/VV|데리/VV 어/EC 가/VX) (?:어/EC )?(?:주/VX|줬|가/VX)",
    "world_leave": r" (?:세상|이승)/NNG (?:을/JKO |에서/JKB )?(?:\S+ )?(?:뜨/VV|등지/VV|하직/NNG) ",
    "wont_wake": r" (?:일어나|깨어나|깨|뜨|떠지)/VV (?:지/EC (?:않|말)/VX|지/EC 못/MAG)? ?\S*"
                 r" ?(?:었/EP (?:으면|면)/EC)",
    "no_tomorrow_for_me": r" 내일/NNG (?:이/JKS )?없/VA 었/EP 으면",
    "by_my_hand": r" (?:스스로|내/NP 손/NNG|제/NP 손/NNG|나/NP 의/JKG 손/NNG)/?\S* (?:\S+ ){0,3}"
                  r"(?:끝내|끊/VV|마감하)",
    "life_not_precious": r" 목숨/NNG (?:\S+ ){0,2}(?:아깝/VA 지/EC 않|아깝/VA 지/EC 가/JKS 않)",
    "better_not_living": r" (?:안/MAG 살/VV|살/VV 지/EC 않/VX|없/VA) (?:는/ETM )?것/NNB (?:이/JKS )?낫",
    "born_by_mistake": r" 태어나/VV ᆫ/ETM 것/NNB (?:이/JKS )?(?:실수|잘못)",
    "not_needed": r" (?:필요/NNG 없/VA 는/ETM 사람|필요/NNG 로/JKB 하/VV 지/EC 않/VX|"
                  r"(?:세상|삶|인생|이승)/NNG (?:\S+ ){0,2}미련/NNG)",
    "turn_off_self": rf" (?:끄/VV 어/EC 버리|강종/NN\S+ 하|퇴장/NNG 하|리셋/NNG 하)/?\S* ?"
                     rf"(?:{WISH}|었/EP 으면)",
    "my_funeral": r" (?:나/NP 의/JKG|내/NP|제/NP) 장례식/NNG ",
    "instead_of_me": r" (?:나/NP 의/JKG|내/NP|제/NP) 몫/NNG 까지/JX ",
    "when_im_gone": r" (?:나/NP|저/NP) (?:\S+ ){0,1}(?:없/VA (?:어도|을/ETM 때|으면)|가/VV 고/EC 나/VX"
                    r" 면|연락/NNG (?:이/JKS )?안/MAG 되/VV 면)/?\S* (?:\S+ ){0,6}(?:부탁|잘/MAG 지내|"
                    r"챙기|전하|살/VV 아/EF|살/VV 어/EF|보/VV 라고|먹이)",
    "this_is_my_end": r" (?:나/NP|저/NP) (?:는/JX|도/JX) (?:\S+ )?(?:여기/NP 까지|이제/MAG 끝)",
    "next_life_see": r" 다음/NNG 생/NNG (?:에/JKB )?(?:\S+ )?(?:보/VV|만나/VV|태어나/VV ᆯ게)",
    "forget_me": r" (?:나|저)/NP (?:를|을)?/?\S* ?잊/VV (?:고/EC|어/EC 주)",
    "no_more_need": r" (?:이제|더/MAG 이상|다시는)/\S+ (?:\S+ ){0,3}(?:필요/NNG 없|쓸/VV ᆯ/ETM 일/NNG (?:이/JKS )?없)",
    "wont_come_back": r"^(?!.* (?:이민|해외|유학|여행|외국|제주도)/NN).* (?:안/MAG 돌아오|"
                      r"돌아오/VV 지/EC 않|안/MAG 내려오|내려오/VV ᆯ/ETM 생각/NNG \S+ 없)",
    "ending_plan": r" (?:끝내|하/VV|가/VV)/?\S* (?:ᆯ/ETM 거/NNB|려고/EC|ᆯ/ETM 계획/NNG) "
                   r"(?:\S+ ){0,3}(?:말리/VV|날짜|그날|그때|이번엔/MAG|진짜/MAG 야)",
    "date_set": r" (?:날짜|날|장소|시간)/NN\S+ (?:\S+ ){0,1}(?:정하/VV|잡/VV|정해/VV|정/NNG 하)"
                r"(?=.* (?:끝|끝나/VV|끝내/VV|마지막/NNG|가/VV 려고|하/VV ᆯ/ETM 거|없/VA 어/EF))",
    "search_method": r" (?:방법|덜/MAG 아프/VA|확실하/VA)/?\S* (?:\S+ ){0,4}(?:검색|찾아보|알아보)",
    "rope_bought": r" (?:끈|밧줄|줄)/NNG (?:\S+ ){0,2}사/VV (?:었|놓)",
    "hiding_scars": r" (?:흉터|상처|자국|흔적)/NNG (?:\S+ ){0,4}(?:가리|숨기|들키|감추)",
    "harm_body": r" (?:팔|손목|허벅지|손등|살)/NNG (?:\S+ ){0,3}(?:긋|그/VV|긁|뜯|새기|깨물)",
    "punish_self": r" (?:나/NP|저/NP|자신/NNG|스스로/MAG) (?:\S+ ){0,3}(?:벌/NNG|벌주/VV|"
                   r"아프/VA 게/EC 하|부수/VV|때리/VV)",
    "deliberately_hurt": r" 일부러/MAG (?:\S+ ){0,4}(?:데/VV|다치|아프|굶|깨물|박/VV|때리)",
    "blade_carry": r" (?:칼|면도날|면도칼|커터칼|커터)/NNG (?:\S+ ){0,4}(?:그어보|긋|필통|다니/VV|쓰/VV 려고)",
}

POSSIBLE_PATTERNS: dict[str, str] = {
    "it_should_end": rf" (?:빨리|그냥|이제|차라리)/MAG (?:\S+ ){{0,3}}끝나/VV {IF_ONLY}",
    "affairs_in_order": r" (?:정리|준비)/NNG (?:\S+ ){0,3}(?:하/XSV|끝/NNG|다/MAG)"
                        r" (?:\S+ ){0,6}(?:이제|안녕|마지막|남기/VV|하려고|할/VV)",
    "hard_to_live": r" 살/VV (?:기/ETN (?:가/JKS )?(?:힘들|지치|지겹|버겁|싫)|는/ETM 것/NNB"
                    r" (?:이/JKS )?(?:지옥|고통|힘들|지치|지겹))",
    "no_tomorrow": rf" (?:내일|아침)/NNG (?:이/JKS )?(?:안/MAG 오/VV|오/VV 지/EC 않/VX)"
                   rf" {IF_ONLY}",
    "han_river": rf" 한강/NNP (?:에/JKB )?(?:\S+ )?(?:가/VV|뛰어들/VV) (?:{WISH}|ᆯ까)",
    "rest_forever": r" 영영/MAG (?:\S+ ){0,2}(?:쉬/VV|자/VV|잠들/VV)",
    "thanks_goodbye": r" 고맙/VA (?:\S+ ){0,6}(?:이제/MAG|진짜/MAG|정말/MAG) (?:\S+ ){0,2}"
                      r"(?:안녕|잘/MAG 있)",
    "last_words": r" 마지막/NNG (?:으로/JKB )?(?:\S+ ){0,6}(?:고맙|미안|사랑하|말하)",
    "leaving_now": r" (?:나|저)/NP (?:\S+ ){0,2}(?:이제/MAG )?(?:떠나/VV|가/VV)"
                   r" (?:ᆯ/ETM 거|려고/EC)",
    "farewell_word": r" 작별/NNG ",
    "burden": r" (?:짐/NNG (?:이/JKS|이/JKC) 되/VV|짐덩어리/NNG|민폐/NNG|쓸모없/VA|"
              r"없/VA 는/ETM 게/NNB 낫)",
    "give_up": rf" (?:다/MAG|전부/MAG) (?:\S+ ){{0,2}}포기하/VV {WISH}",
    "cannot_hold_on": r" (?:못/MAG 버티|버티/VV \S+ 못|버티/VV ᆯ/ETM 힘/NNG \S+ 없|"
                      r"넘기/VV ᆯ/ETM 자신/NNG \S+ 없|살/VV ᆯ/ETM 자신/NNG \S+ 없)",
    "poison": r" (?:농약|번개탄|청산가리|제초제)/NNG ",
    "end_it": rf" (?:그만/MAG |이제/MAG |여기서/MAG |그냥/MAG |여기/NP 서/JKB )(?:\S+ ){{0,2}}"
              rf"(?:끝내|끝나|멈추|그만하|접/VV|놓/VV)/?\S* (?:{WISH}|{IF_ONLY}|ᆯ래|려고)",
    "only_exit": r" 출구/NNG (?:\S+ ){0,2}하나/N",
    "hit_by_car": r" (?:차|트럭|사고)/NNG (?:\S+ ){0,3}(?:치/VV|나/VV) (?:\S+ ){0,2}(?:었/EP 으면|"
                  r"어/EC 주/VX|버리/VX)",
    "look_down": r" (?:아래|밑)/NNG (?:를|을)?/?\S* ?내려다보",
    "die_naturally": r" (?:자연스럽|확/MAG|그냥/MAG)\S* (?:\S+ ){0,2}가/VV (?:면/EC 좋|버리/VX)",
}

# -- the same over the raw text (no spaces), for what Kiwi cannot split -------------------
RAW_PATTERNS: dict[str, str] = {
    "wish_to_die_spelling": r"죽고\s?(?:싶|시퍼|십|파|퍼|시프|잡)|죽구\s?싶|죽어\s?버리고\s?싶|"
                            r"죽어\s?버릴(?:까|래)|[뒤디]지고\s?싶|뒤져\s?버리고",
    "suicide_spelling": r"(?<![가-힣])자살(?!골|률|예방)|ㅈㅅ\s?(?:하고|생각|충동)|ㅈㄱㅅㄷ|ㅈㄱㅅㅍ",
    "self_harm_spelling": r"자해|쟈해|ㅈㅎ\s?(?:또|했|하고|충동|끊|흔적|자국)",
}

# -- exclusions ---------------------------------------------------------------------------
_OTHERS = re.compile(
    r" (?:친구|동생|언니|오빠|누나|형|엄마|아빠|어머니|아버지|할머니|할아버지|남친|여친|애인|"
    r"남자친구|여자친구|아이|딸|아들|사람|연예인|배우|가수|주인공|동료|학생|후배|선배|걔|얘|쟤|"
    r"애/NNG|반/NNG 애|누구|누가|아는/VV 사람|지인|삼촌|이모|고모|사촌|조카|남편|아내|환자|"
    r"손님|직원|학생들|청소년|아이들|사람들|유튜버|인플루언서|후임|선임|제자|부하|룸메|"
    r"친구들|남편|와이프|시어머니|장모님|할아버지)/N\S+ (?:(?:가|이|는|은|도|한테|랑|"
    r"이랑|를|을|의)/J\S+ |(?:팔|손목|몸|다리)/NNG )")
_ABOUT = re.compile(
    r" (?:뉴스|기사|드라마|영화|소설|책|웹툰|다큐|유튜브|방송|노래|가사|캠페인|포스터|통계|"
    r"자료|과제|조사|보고서|수업|교육|예방|유가족|상담전화|번호|신고|대응|논문|연구|강의|"
    r"세미나|시지프|카뮈|작품|장면|시|문구|인스타|SNS|커뮤니티|게시글|글/NNG|댓글|사례|"
    r"방법론|정책|원인|증가|감소|률|체험|프로그램|웰다잉|유족|자조모임|자원봉사|독후감|햄릿|"
    r"해석|대사|독백)/N\S+ ")
_SELF = re.compile(r" (?:나|저)/NP | (?:내|제)/NP (?!가/JKS \S+ (?:알|모르))")
_GAME = re.compile(r" (?:게임|배그|롤|캐릭|캐릭터|자기장|보스|몹|좀비|랭크|판/NNB|스테이지|원딜|한타|"
                   r"정글|서폿|미드|탑/NNG|딜러|"
                   r"부활|리스폰|킬/NNG|팀원|딜러|탱커)/N\S+ ")
_EMBARRASSED = re.compile(r" (?:쪽팔리|창피하|창피/NNG|부끄럽|민망하|민망/NNG|쪽/NNG)")


def _die_occurrences(morphemes: tuple[Morpheme, ...]) -> list[int]:
    return [i for i, m in enumerate(morphemes) if m.form == "죽" and m.tag.startswith("VV")]


_HYPERBOLE_AFTER = (["는", "줄"], ["ᆯ", "뻔"], ["을", "뻔"], ["은", "듯이"], ["은", "듯"],
                    ["ᆫ", "듯이"], ["은", "척"], ["ᆯ", "맛"], ["을", "맛"], ["을", "만큼"],
                    ["ᆯ", "만큼"], ["을", "정도"], ["ᆯ", "정도"], ["을", "것"], ["ᆯ", "것"],
                    ["기", "살"], ["고", "못"])
_EMBARRASSMENT = ("쪽팔리", "창피하", "부끄럽", "민망하", "웃기")


def _is_intensifier_or_idiom(morphemes: tuple[Morpheme, ...], i: int) -> bool:
    """죽다 at index i used as an intensifier or an idiom, not as a wish to die."""
    before = morphemes[max(0, i - 3):i]
    nxt = [m.form for m in morphemes[i + 1:i + 6]]
    wish = nxt[:2] == ["고", "싶"] or nxt[:3] == ["어", "버리", "고"]
    prev = before[-1] if before else None
    # 배고파 죽겠어, 웃겨 죽는 줄, 쪽팔려 죽고 싶다 (but 힘들어서 죽고 싶어 is a wish)
    after_predicate = (prev is not None and prev.tag == "EC"
                       and prev.form in ("어", "아", "어서", "아서", "여", "게", "여서")
                       and len(before) >= 2
                       and before[-2].tag.split("-")[0] in ("VA", "VV", "XSA", "VX"))
    if after_predicate and (not wish or before[-2].form in _EMBARRASSMENT or (
            prev is not None and prev.form in ("어", "아", "여") and nxt[:1] != ["고"])):
        return True
    if wish:
        # a denied wish: 죽고 싶은 건 아니고, 죽고 싶진 않아
        later = [m.form for m in morphemes[i + 3:i + 9]]
        return "아니" in later or ("지" in later and "않" in later) or "진" in later
    if nxt[:1] in (["겠"], ["어도"], ["는다"], ["ᆫ다"]) or nxt[:2] in _HYPERBOLE_AFTER:
        return True
    if nxt[:2] in (["기", "보다"], ["기", "직전"], ["기", "전"], ["ᆯ", "죄"], ["을", "죄"],
                   ["지", "않"], ["자", "사"], ["어", "가"]) or nxt[:1] == ["자"]:
        return True
    if i >= 2 and morphemes[i - 1].form == "번" and morphemes[i - 2].tag == "MM":
        return True  # 한 번 죽지 두 번 죽냐
    # 죽으나 사나, 죽을 둥 살 둥, 죽느냐 사느냐, 사느냐 죽느냐, 죽다 살아났네, 죽자 사자
    if any(m.form in ("살", "사", "살아나", "사자", "똥") and m.tag.startswith(("VV", "NN"))
           for m in (*morphemes[max(0, i - 4):i], *morphemes[i + 1:i + 5])):
        return True
    # a past 죽었다 is something else's death or a game, not a wish; "죽었으면" is a wish
    return nxt[:1] == ["었"] and nxt[1:2] not in (["으면"], ["면"])


_SELF_WORDS = ("나", "저", "내", "제")


def _subject_is_other(morphemes: tuple[Morpheme, ...], i: int) -> bool:
    """The subject of 죽다 at index i (the nearest noun marked 이/가/은/는/도 before it in the
    clause, or a bare noun right before it) is not me: 배터리가, 캐릭터가, 분위기 다 죽어."""
    for j in range(i - 1, max(-1, i - 10), -1):
        m = morphemes[j]
        if m.tag in ("EF", "SF") and j < i - 1:
            return False  # another sentence
        if m.tag == "JKB" and m.form in ("한테", "에게", "한테서") and j >= i - 3:
            return True  # 쌤한테 죽는다: by someone
        if m.tag in ("JKS", "JX") and m.form in ("가", "이", "는", "은", "도") and j > 0:
            subject = morphemes[j - 1]
            return subject.tag.startswith("N") and subject.form not in _SELF_WORDS
    near = morphemes[max(0, i - 2):i]
    return any(m.tag in ("NNG", "NNP") for m in near) and not any(
        m.form in _SELF_WORDS for m in near)


def _dies(analysis: Analysis) -> bool:
    morphemes = analysis.morphemes
    for i in _die_occurrences(morphemes):
        if _is_intensifier_or_idiom(morphemes, i) or _subject_is_other(morphemes, i):
            continue
        return True
    return False


_COMPILED = {name: re.compile(p) for name, p in CRISIS_PATTERNS.items()}
_COMPILED_POSSIBLE = {name: re.compile(p) for name, p in POSSIBLE_PATTERNS.items()}
_COMPILED_RAW = {name: re.compile(p) for name, p in RAW_PATTERNS.items()}
_SPACES = re.compile(r"\s+")


_PLACE_BEFORE = re.compile(r"(?:에|에서)/JKB (?:\S+ ){0,2}$")
_WORLD_BEFORE = re.compile(r"(?:세상|지구|이승)/NNG (?:에|에서)/JKB (?:\S+ ){0,2}$")
# Cues that a place makes harmless: 이 동네에 살기 싫어, 이 회사에서 사라지고 싶다.
_PLACE_SENSITIVE = frozenset({"no_will_to_live", "disappear", "hard_to_live"})


# Cues about giving up "everything" that a task makes harmless (숙제 다 끝내고 싶어, 이번
# 프로젝트 다 포기하고 싶다), or that only measure hardship (다 포기하고 싶을 만큼 힘들었는데).
_EVERYTHING = frozenset({"end_it_all", "end_it_all_after"})
_NOUN = re.compile(r"(?<= )(\S+)/NN[GP](?= )")
_NOT_TASKS = frozenset({"삶", "인생", "생", "목숨", "생명", "존재", "숨", "세상", "이승", "오늘",
                        "지금", "진짜", "정말", "요즘", "하루", "자체", "마음", "힘", "포기",
                        "마감", "정리", "생각", "이번"})
_MEASURE = re.compile(r" 싶/VX (?:을|ᆯ)/ETM (?:만큼|정도)/N")


# Leaving a job, a school, a country, a stream: a real goodbye, not a suicidal farewell.
_LEAVING = re.compile(r" (?:퇴임|퇴사|전학|졸업|입대|이민|방송|은퇴|전역|이사|송별|정년|발령|"
                      r"유학|출국|마지막/NNG 출근|계정|휴가)/N")
_FAREWELLS = frozenset({"last_message", "farewell_thanks", "thanks_goodbye", "last_words",
                        "leaving_now", "farewell_word", "go_first", "go_first_ending",
                        "no_more_need",
                        "this_is_my_end", "forget_me"})
# Not wanting tomorrow because of work or school, laughing: 월요일 오지 마 ㅋㅋ
_ROUTINE = re.compile(r" (?:출근|월요일|알람|학교|등교|회사|시험|주말|과제|수업)/N")
_ROUTINE_SENSITIVE = frozenset({"no_tomorrow", "sleep_forever", "wont_wake", "rest_forever",
                                "no_tomorrow_for_me"})
# Going somewhere: 섬으로 사라지고 싶다, 제주도로 떠날 거야
_DESTINATION = re.compile(r" (?:으로|로)/JKB (?:\S+ ){0,2}$")


def _harmless(name: str, rendered: str, before: str) -> bool:
    if name in _FAREWELLS and _LEAVING.search(rendered):
        return True
    if name in _ROUTINE_SENSITIVE and _ROUTINE.search(rendered):
        return True
    if name in ("disappear", "leaving_now") and _DESTINATION.search(before):
        return True
    if name in ("disappear", "end_it_all") and re.search(
            r" 싶/VX (?:\S+ ){0,3}(?:다가도/EC|아니/VCN|지/EC 않/VX)", rendered):
        return True  # 사라지고 싶다는 건 아니고, 다 포기하고 싶다가도
    if name in _PLACE_SENSITIVE and _PLACE_BEFORE.search(before) \
            and not _WORLD_BEFORE.search(before):
        return True
    if name in _EVERYTHING:
        tasks = set(_NOUN.findall(rendered)) - _NOT_TASKS
        return bool(tasks) or bool(_MEASURE.search(rendered))
    return False


def _first(patterns: dict[str, re.Pattern[str]], rendered: str) -> tuple[str, int] | None:
    for name, pattern in patterns.items():
        for match in pattern.finditer(rendered):
            if _harmless(name, rendered, rendered[:match.start() + 1]):
                continue
            return name, match.start()
    return None


def excused(analysis: Analysis) -> frozenset[str]:
    """The patterns that read risk in the message but were excused (a task: 숙제 다 끝내고
    싶어; a move: 퇴사하면서 그동안 고마웠어요; a routine: 월요일 안 왔으면): the score learns
    that these are mostly harmless."""
    rendered = analysis.rendered
    found = set()
    for patterns in (_COMPILED, _COMPILED_POSSIBLE):
        for name, pattern in patterns.items():
            for hit in pattern.finditer(rendered):
                if _harmless(name, rendered, rendered[:hit.start() + 1]):
                    found.add(name)
    return frozenset(found)


def mentions_others(rendered: str) -> bool:
    return bool(_OTHERS.search(rendered))


def about_topic(rendered: str) -> bool:
    return bool(_ABOUT.search(rendered))


def mentions_self(rendered: str) -> bool:
    return bool(_SELF.search(rendered))


def game_context(rendered: str) -> bool:
    return bool(_GAME.search(rendered))


def about_others(rendered: str, cue_at: int) -> bool:
    """The message is about someone else (named before the cue, with no "I" before it) or
    about the subject itself (news, studies, prevention, fiction)."""
    before = rendered[:cue_at + 1]
    if _SELF.search(before):
        return False
    other = _OTHERS.search(rendered)
    return bool((other and other.start() <= cue_at) or _ABOUT.search(rendered))


def match(analysis: Analysis) -> RiskAssessment:
    """The first pattern that reads risk in the message (CRISIS or POSSIBLE), or NO_RISK."""
    rendered = analysis.rendered
    if _GAME.search(rendered) and not _SELF.search(rendered):
        return NO_RISK
    raw = _SPACES.sub(" ", analysis.text)
    embarrassed = bool(_EMBARRASSED.search(rendered))
    found: tuple[Risk, str, int] | None = None
    if _dies(analysis) and not embarrassed:
        found = (Risk.CRISIS, "die", rendered.find(" 죽/VV "))
    if found is None:
        hit = _first(_COMPILED, rendered)
        if hit is not None and not (embarrassed and hit[0].startswith("disappear")):
            found = (Risk.CRISIS, *hit)
    if found is None and not embarrassed:
        for name, pattern in _COMPILED_RAW.items():
            if pattern.search(raw):
                found = (Risk.CRISIS, name, len(rendered))
                break
    if found is None:
        hit = _first(_COMPILED_POSSIBLE, rendered)
        if hit is not None:
            found = (Risk.POSSIBLE, *hit)
    if found is None or about_others(rendered, found[2]):
        return NO_RISK
    return RiskAssessment(found[0], found[1])
