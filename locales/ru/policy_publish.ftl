policy-update-notice =
    <b>Политика конфиденциальности обновлена</b>
    { $operator } публикует новую редакцию политики, она действует с { $date }.

    Что изменилось:
    { $changes }

    Пока вы не примете новую редакцию, ваше согласие считается устаревшим. Прочитать изменённые разделы и принять редакцию можно кнопками ниже.
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
    Как опубликовать новую редакцию: отправьте в этот чат файлы <code>kk.md</code> и <code>ru.md</code> (или <code>.txt</code>), затем команду <code>/publish_policy ГГГГ-ММ-ДД</code> — дату, с которой действует редакция.
    Папку, добавленную в POLICY_DIR вручную, можно опубликовать из /policy_versions.
pp-staged = Файл { $file } принят: { $sections ->
    [one] { $sections } раздел
    [few] { $sections } раздела
   *[many] { $sections } разделов
}. Когда все языки загружены, отправьте <code>/publish_policy ГГГГ-ММ-ДД</code>.
pp-error = ⚠️ Не получилось: { $error }
pp-too-early = Дата новой редакции должна быть позже действующей ({ $current }).
pp-review = <b>Новая редакция политики от { $version }</b> (сравнение с редакцией от { $previous })
pp-review-language = <b>{ $language }</b>
pp-review-no-changes = Разделы не изменились.
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
pp-confirm-button = ✅ Опубликовать
pp-discard-button = ✖️ Не публиковать
pp-discarded = Редакция от { $version } не опубликована.
pp-published = ✅ Редакция от { $version } опубликована и действует. Уведомление пользователям отправляется.
pp-already-published = Эта редакция уже опубликована.
pp-versions-title = <b>Редакции политики</b>
pp-versions-line = { $version } · { $languages } · опубликована { $time } ({ $by }){ $current }
pp-versions-current = · <b>действующая</b>
pp-versions-unpublished = { $version } · в папке, ещё не опубликована
pp-review-button = Опубликовать редакцию от { $version }…
