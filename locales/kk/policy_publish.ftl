policy-update-notice =
    <b>Құпиялылық саясаты жаңартылды</b>
    { $operator } саясаттың жаңа редакциясын жариялайды, ол { $date } бастап күшіне енеді.

    Не өзгерді:
    { $changes }

    Жаңа редакцияны қабылдағанша сіздің келісіміңіз ескірген болып саналады. Өзгерген бөлімдерді оқып, редакцияны қабылдау үшін төмендегі батырмаларды пайдаланыңыз.
policy-change-added = ➕ Жаңа бөлім: { $section }
policy-change-changed = ✏️ Өзгертілді: { $section }
policy-change-removed = ➖ Алып тасталды: { $section }
policy-change-more = …және тағы { $count } өзгеріс
policy-change-none = Бөлімдер өзгерген жоқ: рәсімдеу мен тақырып нақтыланды.
policy-notice-read-all-button = 📑 Жаңа редакция толығымен
policy-notice-previous-button = 🕘 { $date } күнгі бұрынғы редакция
policy-notice-accept-button = ✅ Танысып, қабылдау
pp-usage =
    Жаңа редакцияны жариялау үшін осы чатқа <code>kk.md</code> және <code>ru.md</code> (немесе <code>.txt</code>) файлдарын жіберіңіз, содан кейін <code>/publish_policy ЖЖЖЖ-АА-КК</code> командасын — редакция күшіне енетін күнді жіберіңіз.
    POLICY_DIR ішіне қолмен қосылған папканы /policy_versions арқылы жариялауға болады.
pp-staged = { $file } файлы қабылданды: { $sections } бөлім. Барлық тілдер жүктелген соң <code>/publish_policy ЖЖЖЖ-АА-КК</code> жіберіңіз.
pp-error = ⚠️ Орындалмады: { $error }
pp-too-early = Жаңа редакцияның күні қолданыстағыдан ({ $current }) кейін болуы керек.
pp-review = <b>Саясаттың { $version } күнгі жаңа редакциясы</b> ({ $previous } күнгі редакциямен салыстыру)
pp-review-language = <b>{ $language }</b>
pp-review-no-changes = Бөлімдер өзгерген жоқ.
pp-review-added = Қосылған бөлімдер ({ $count }): { $sections }
pp-review-removed = Алып тасталған бөлімдер ({ $count }): { $sections }
pp-review-changed = Өзгерген бөлімдер ({ $count }): { $sections }
pp-review-missing-language = Мына тілде мәтін жоқ: { $languages } — ондай пайдаланушыларға басқа тілдегі мәтін белгімен көрсетіледі.
pp-review-question = Жариялаймыз ба? Редакция бірден күшіне енеді, барлық пайдаланушыларға хабарлама жіберіледі, ал олардың келісімі жаңа редакцияны қабылдағанға дейін ескірген болып саналады.
pp-confirm-button = ✅ Жариялау
pp-discard-button = ✖️ Жарияламау
pp-discarded = { $version } күнгі редакция жарияланбады.
pp-published = ✅ { $version } күнгі редакция жарияланды және күшіне енді. Пайдаланушыларға хабарлама жіберіліп жатыр.
pp-already-published = Бұл редакция бұрын жарияланған.
pp-versions-title = <b>Саясат редакциялары</b>
pp-versions-line = { $version } · { $languages } · жарияланды { $time } ({ $by }){ $current }
pp-versions-current = · <b>қолданыстағы</b>
pp-versions-unpublished = { $version } · папкада бар, әлі жарияланбаған
pp-review-button = { $version } күнгі редакцияны жариялау…
