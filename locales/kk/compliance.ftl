# Compliance texts (issue 14): the appeal after a refusal, operator-facing errors and labels.

# After a refused request: where to appeal. The body's name stays in the nominative in brackets,
# so any AUTHORISED_BODY_KK fits. Law 94-V, Art. 27-1: the authorised body's
# competence (as its order https://adilet.zan.kz/eng/docs/V2000021498 cites it).
compliance-refusal-appeal = Шешіммен келіспесеңіз, жаңа өтініш беруге (/claim) немесе шешімге дербес деректерді қорғау жөніндегі уәкілетті органға ({ $body }) не сотқа шағымдануға құқылысыз.

# Who did something, in operators' lists (audit actors 'system' and 'operator:<id>').
compliance-actor-system = жүйе
compliance-actor-operator = оператор { $id }

# Why a policy file or version was not accepted (the admin chat).
compliance-policy-not-utf8 = { $file } файлы UTF-8 кодтауында емес. Оны UTF-8 кодтауында сақтап, қайта жіберіңіз.
compliance-policy-empty = { $file } файлы бос.
compliance-policy-not-a-date = «{ $value }» күн емес. Күшіне ену күнін ЖЖЖЖ-АА-КК түрінде көрсетіңіз, мысалы 2026-04-01.
compliance-policy-invalid-date = «{ $value }» деген күн жоқ. Күн мен айды тексеріңіз.
compliance-policy-no-files = саясат файлдары жіберілмеген. Алдымен осында kk.md және (немесе) ru.md файлдарын құжат ретінде жіберіңіз.
compliance-policy-version-exists = { $version } күнгі редакция саясат папкасында бұрыннан бар.
compliance-policy-no-text = файлда ({ $language }) саясат мәтіні қалмады: тек сайттың қызметтік жолдары бар.
