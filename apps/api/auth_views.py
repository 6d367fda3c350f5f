"""``/api/auth/``: sign in for tokens (with the TOTP code when the person uses 2FA), refresh
(rotating, the old refresh token is blacklisted), sign out, and register by invitation."""

from __future__ import annotations

from django.contrib.auth import authenticate, get_user_model
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.serializers import TokenRefreshSerializer
from rest_framework_simplejwt.tokens import RefreshToken

from apps.accounts.services.errors import AccountError
from apps.accounts.services.invitations import invitation_accept
from apps.api.authentication import tokens_for
from apps.api.exceptions import error_body
from apps.api.throttling import IpThrottle, LoginThrottle

TokenPair = inline_serializer(
    "TokenPair", {"access": serializers.CharField(), "refresh": serializers.CharField()}
)


class LoginSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False)
    otp = serializers.CharField(required=False, allow_blank=True, help_text="TOTP or recovery code")


def _second_factor_ok(user, code: str) -> bool | None:
    """None: the person has no second factor. Otherwise whether ``code`` passes."""
    from allauth.mfa.models import Authenticator

    authenticators = list(
        Authenticator.objects.filter(
            user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES]
        )
    )
    if not any(a.type == Authenticator.Type.TOTP for a in authenticators):
        return None
    code = code.replace(" ", "")
    return bool(code) and any(a.wrap().validate_code(code) for a in authenticators)


class LoginView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginThrottle, IpThrottle]

    @extend_schema(request=LoginSerializer, responses={200: TokenPair}, tags=["auth"])
    def post(self, request):
        data = LoginSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request, email=data.validated_data["email"], password=data.validated_data["password"]
        )
        if user is None or not user.is_active:
            return Response(
                error_body("invalid_credentials", "Email or password is not right."), status=401
            )
        second = _second_factor_ok(user, data.validated_data.get("otp", ""))
        if second is False:
            code = "otp_invalid" if data.validated_data.get("otp") else "otp_required"
            message = (
                "The authentication code is not right."
                if code == "otp_invalid"
                else "This account uses two-factor authentication: send the code as `otp`."
            )
            return Response(error_body(code, message, {"otp": [message]}), status=401)
        return Response(tokens_for(user))


class RefreshView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=TokenRefreshSerializer, responses={200: TokenPair}, tags=["auth"])
    def post(self, request):
        from django.db import connection

        raw = request.data.get("refresh") if hasattr(request.data, "get") else None
        if not isinstance(raw, str) or not raw:
            raise serializers.ValidationError({"refresh": ["This field is required."]})
        try:
            # Check the company before anything looks the token's user up in this schema.
            if RefreshToken(raw).get("tenant") != connection.schema_name:
                raise TokenError("This token belongs to another company.")
            serializer = TokenRefreshSerializer(data={"refresh": raw})
            serializer.is_valid(raise_exception=True)
        except TokenError as exc:
            return Response(error_body("token_invalid", str(exc)), status=401)
        except get_user_model().DoesNotExist:
            return Response(
                error_body("token_invalid", "This person no longer exists."), status=401
            )
        return Response(serializer.validated_data)


class LogoutSerializer(serializers.Serializer):
    refresh = serializers.CharField()


class LogoutView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=LogoutSerializer, responses={204: None}, tags=["auth"])
    def post(self, request):
        data = LogoutSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            RefreshToken(data.validated_data["refresh"]).blacklist()
        except TokenError as exc:
            return Response(error_body("token_invalid", str(exc)), status=401)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RegisterSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="The token from the invitation link.")
    full_name = serializers.CharField(max_length=150)
    password = serializers.CharField(min_length=8, trim_whitespace=False)


class RegisterView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [IpThrottle]

    @extend_schema(request=RegisterSerializer, responses={201: TokenPair}, tags=["auth"])
    def post(self, request):
        data = RegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user = invitation_accept(
                raw_token=data.validated_data["token"],
                full_name=data.validated_data["full_name"],
                password=data.validated_data["password"],
            )
        except AccountError as exc:
            raise serializers.ValidationError({exc.field or "token": [exc.message]}) from exc
        return Response(tokens_for(user), status=201)
