# Compliance texts (issue 14): the appeal after a refusal, operator-facing errors and labels.

# After a refused request: where to appeal. The body's name stays in the nominative in brackets,
# so any AUTHORISED_BODY_RU fits. Law 94-V, Art. 27-1: the authorised body's
# competence (as its order https://adilet.zan.kz/eng/docs/V2000021498 cites it).
compliance-refusal-appeal = Если вы не согласны с решением, вы можете подать новое обращение (/claim) или обжаловать решение в уполномоченном органе по защите персональных данных ({ $body }) либо в суде.

# Who did something, in operators' lists (audit actors 'system' and 'operator:<id>').
compliance-actor-system = система
compliance-actor-operator = оператор { $id }

# Why a policy file or version was not accepted (the admin chat).
compliance-policy-not-utf8 = файл { $file } не в кодировке UTF-8. Сохраните его в UTF-8 и пришлите снова.
compliance-policy-empty = файл { $file } пустой.
compliance-policy-not-a-date = «{ $value }» — не дата. Укажите дату вступления в силу в виде ГГГГ-ММ-ДД, например 2026-04-01.
compliance-policy-invalid-date = даты «{ $value }» не существует. Проверьте день и месяц.
compliance-policy-no-files = файлы политики не присланы. Сначала пришлите сюда kk.md и (или) ru.md документами.
compliance-policy-version-exists = редакция от { $version } уже есть в папке политики.
compliance-policy-no-text = в файле ({ $language }) не осталось текста политики: только служебные строки сайта.
