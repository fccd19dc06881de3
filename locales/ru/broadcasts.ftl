bc-usage =
    Чтобы начать рассылку, ответьте командой /broadcast на сообщение (текст, фото, документ), копию которого нужно разослать.
    Можно сразу указать аудиторию: <code>/broadcast all</code>, <code>/broadcast ads</code>, <code>/broadcast policy</code>, <code>/broadcast incident</code> или <code>/broadcast incident 101 102</code> — инцидент только этим пользователям.
bc-choose-audience = <b>Рассылка № { $id }</b>: кому отправить копию этого сообщения?
bc-audience-all = Всем пользователям
bc-audience-policy = Уведомление об изменении политики
bc-audience-incident = Уведомление об инциденте
bc-audience-ads = Реклама (только согласившимся)
bc-audience-listed = { $count ->
    [one] по списку: { $count } пользователь
    [few] по списку: { $count } пользователя
   *[many] по списку: { $count } пользователей
}
bc-confirm =
    <b>Рассылка № { $id }</b>
    Аудитория: { $audience }
    { $count ->
        [one] { $count } получатель
        [few] { $count } получателя
       *[many] { $count } получателей
    }, не быстрее { $rate } сообщ./с.
    Отправить?
bc-unknown-ids = Нет в базе бота (не получат): { $ids }
bc-ads-note = Под каждой копией будет кнопка «Отказаться от рекламы».
bc-policy-note = Под каждой копией будут кнопки: прочитать новую редакцию политики и принять её.
bc-paid-note = ⚡️ Платная рассылка Telegram (allow_paid_broadcast): скорость выше обычной, сообщения сверх бесплатного лимита оплачиваются звёздами (Stars) бота.
bc-no-recipients = Получателей нет: отправлять некому.
bc-confirm-button = ▶️ Отправить
bc-discard-button = ✖️ Не отправлять
bc-discarded = Рассылка № { $id } не отправлена.
bc-progress =
    <b>Рассылка № { $id }</b> · { $audience }
    { $state }
    Отправлено: { $sent } из { $total }
    Недоступны (заблокировали бота или удалили аккаунт): { $unreachable }
    Ошибки: { $failed }
    Осталось: { $remaining }
    Скорость: { $rate } сообщ./с · осталось примерно { $eta }
bc-state-running = ⏳ Идёт отправка
bc-state-done = ✅ Завершена
bc-state-cancelled = ⏹ Остановлена
bc-cancel-button = ⏹ Остановить рассылку
bc-cancel-numbered-button = ⏹ Остановить рассылку № { $id }
bc-cancelled = Рассылка № { $id } остановлена. Тем, кто ещё не получил сообщение, оно не придёт.
bc-not-running = Эта рассылка уже не идёт.
bc-report =
    <b>Итог рассылки № { $id }</b> · { $audience } · { $state }
    Всего получателей: { $total }
    Доставлено: { $sent }
    Возможно, доставлено (отправка прервана сбоем или перезапуском): { $uncertain }
    Недоступны: { $unreachable }
    Ошибки: { $failed }
    Пропущены (отказались от рекламы до отправки или заблокировали обработку данных): { $skipped }
    Не отправлено: { $remaining }
bc-report-reason = • { $reason }: { $count }
bc-list-title = <b>Последние рассылки</b>
bc-list-empty = Рассылок ещё не было.
bc-list-line = № { $id } · { $time } · { $audience } · { $state } · { $sent } из { $total }
bc-pause-outage = ⏸ Пауза: Telegram не отвечает ({ $error }). Следующая попытка — { $time }; рассылка продолжится сама, получатели не теряются.
bc-pause-flood = ⏸ Пауза: Telegram просит отправлять медленнее ({ $error }). Продолжение — { $time }.
bc-report-duplicates = Отправлено повторно после прерванной отправки (могли получить дважды): { $count }
bc-retry-failed-button = 🔁 Повторить для получателей с ошибкой: { $count }
bc-retry-not-finished = Повторить можно только завершённую рассылку.
bc-retry-nothing = В этой рассылке нет получателей с ошибкой.
bc-retry-started = Повторная отправка получателям с ошибкой: { $count }
bc-guarantee-legal = Юридически значимое уведомление: если отправку прервёт сбой или перезапуск, его всё равно получат все, но кто-то может получить его дважды.
bc-guarantee-once = Если отправку прервёт сбой или перезапуск, сообщение никому не придёт дважды, но часть получателей может его не получить.
