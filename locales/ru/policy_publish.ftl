policy-update-notice =
    <b>Политика конфиденциальности обновлена</b>
    { $operator } публикует новую редакцию политики, она действует с { $date }.

    Что изменилось:
    { $changes }

    Пока вы не примете новую редакцию, ваше согласие считается устаревшим. Прочитать изменённые разделы и принять редакцию можно кнопками ниже.
pp-notice-scheduled =
    <b>Политика конфиденциальности обновляется</b>
    { $operator } публикует новую редакцию политики, она вступит в силу { $date }.

    Что изменится:
    { $changes }

    До этой даты действует прежняя редакция, и ваше согласие на неё остаётся в силе. Начиная с { $date } мы попросим вас принять новую редакцию; прочитать её можно уже сейчас кнопками ниже.
policy-change-new-language = 🌐 Теперь политика есть и на русском языке.
policy-change-added = ➕ Новый раздел: { $section }
policy-change-changed = ✏️ Изменён: { $section }
policy-change-removed = ➖ Удалён: { $section }
policy-change-more = { $count ->
    [one] …и ещё { $count } изменение
    [few] …и ещё { $count } изменения
   *[many] …и ещё { $count } изменений
}
policy-change-none = Разделы не изменились: уточнены оформление и заголовок.
policy-notice-read-all-button = 📑 Вся новая редакция
policy-notice-previous-button = 🕘 Прежняя редакция от { $date }
policy-notice-accept-button = ✅ Ознакомиться и принять
pp-usage =
    Как опубликовать новую редакцию: отправьте в этот чат файлы <code>kk.md</code> и <code>ru.md</code> (или <code>.txt</code>), затем команду <code>/publish_policy ГГГГ-ММ-ДД</code> — дату, с которой действует редакция. Дата в будущем (не дальше чем через год) объявляется сразу, а действовать редакция начнёт в этот день; до него её можно отозвать: <code>/withdraw_policy ГГГГ-ММ-ДД</code>.
    Папку, добавленную в POLICY_DIR вручную, можно опубликовать из /policy_versions.
pp-staged = Файл { $file } принят: { $sections ->
    [one] { $sections } раздел
    [few] { $sections } раздела
   *[many] { $sections } разделов
}. Когда все языки загружены, отправьте <code>/publish_policy ГГГГ-ММ-ДД</code>.
pp-error = ⚠️ Не получилось: { $error }
pp-refused-too-early = Дата новой редакции должна быть позже действующей ({ $current }). Файлы сохранены — отправьте команду с другой датой.
pp-refused-too-late = Редакцию можно назначить не дальше чем на год вперёд — самое позднее на { $latest }. Файлы сохранены — отправьте команду с другой датой.
pp-refused-already-published = Редакция от { $version } уже опубликована.
pp-refused-no-files = Файлы этой редакции не найдены. Отправьте их ещё раз и повторите <code>/publish_policy</code>.
pp-refused-not-scheduled = Отозвать можно только назначенную редакцию, которая ещё не вступила в силу (см. /policy_versions).
pp-review = <b>Новая редакция политики от { $version }</b> (сравнение с редакцией от { $previous })
pp-review-language = <b>{ $language }</b>
pp-review-no-changes = Разделы не изменились.
pp-review-new-language = Первая редакция на этом языке ({ $count ->
    [one] { $count } раздел
    [few] { $count } раздела
   *[many] { $count } разделов
}): пользователи получат уведомление о новой языковой версии.
pp-review-added = { $count ->
    [one] Добавлен { $count } раздел: { $sections }
    [few] Добавлено { $count } раздела: { $sections }
   *[many] Добавлено { $count } разделов: { $sections }
}
pp-review-removed = { $count ->
    [one] Удалён { $count } раздел: { $sections }
    [few] Удалено { $count } раздела: { $sections }
   *[many] Удалено { $count } разделов: { $sections }
}
pp-review-changed = { $count ->
    [one] Изменён { $count } раздел: { $sections }
    [few] Изменено { $count } раздела: { $sections }
   *[many] Изменено { $count } разделов: { $sections }
}
pp-review-missing-language = Нет текста на языке: { $languages } — таким пользователям покажем другой язык с пометкой.
pp-review-question = Опубликовать? Редакция сразу станет действующей, всем пользователям уйдёт уведомление, а их согласие станет устаревшим до принятия новой редакции.
pp-review-question-scheduled = Опубликовать? Всем пользователям сейчас уйдёт уведомление о новой редакции, а действующей она станет { $date } — с этого дня согласие пользователей станет устаревшим до принятия новой редакции. До этой даты редакцию можно отозвать.
pp-confirm-button = ✅ Опубликовать
pp-discard-button = ✖️ Не публиковать
pp-discarded = Редакция от { $version } не опубликована, загруженные файлы удалены.
pp-published = ✅ Редакция от { $version } опубликована и действует. Уведомление пользователям отправляется.
pp-published-scheduled = ✅ Редакция от { $version } опубликована и вступит в силу в этот день. Уведомление пользователям отправляется. Отозвать её до этой даты: /policy_versions.
pp-versions-title = <b>Редакции политики</b>
pp-versions-line = { $version } · { $languages } · опубликована { $time } ({ $by }){ $current }
pp-versions-current = · <b>действующая</b>
pp-versions-scheduled = · <b>назначена</b>, вступит в силу { $date }
pp-versions-unpublished = { $version } · в папке, ещё не опубликована
pp-review-button = Опубликовать редакцию от { $version }…
pp-withdraw-button = Отозвать редакцию от { $version }…
pp-withdraw-question = Отозвать назначенную редакцию от { $version }? Она не вступит в силу, рассылка уведомления остановится. Тем, кто уже получил уведомление, бот сам ничего не напишет — при необходимости сообщите им рассылкой /broadcast.
pp-withdraw-confirm-button = ↩️ Отозвать
pp-withdraw-keep-button = Оставить
pp-withdrawn = ↩️ Редакция от { $version } отозвана и не вступит в силу. Эту дату можно опубликовать заново.
pp-withdraw-kept = Редакция от { $version } остаётся назначенной.
