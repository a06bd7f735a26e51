import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiErrors } from '../common/api-errors.decorator';
import { AuthService } from './auth.service';
import { LoginDto } from './dto/login.dto';
import { LoginResultDto } from './dto/login-result.dto';
import { Public } from './public.decorator';

@ApiTags('auth')
@Controller('admin/v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in with email and password; returns a short-lived bearer token' })
  @ApiOkResponse({ type: LoginResultDto })
  @ApiErrors(400, 401, 429)
  login(@Body() dto: LoginDto, @Req() req: FastifyRequest): Promise<LoginResultDto> {
    return this.auth.login(dto, { sourceIp: req.clientIp || null, requestId: req.id });
  }
}
