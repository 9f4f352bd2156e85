"""Password rules in Chinese: Django's minimum-length validator has no Chinese text for a length of 10."""

from django.contrib.auth.password_validation import MinimumLengthValidator as DjangoMinimumLength


class MinimumLengthValidator(DjangoMinimumLength):
    def get_error_message(self):
        return f"密码长度太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self):
        return f"密码至少需要 {self.min_length} 个字符。"
